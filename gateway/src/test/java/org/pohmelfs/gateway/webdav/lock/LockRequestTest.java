package org.pohmelfs.gateway.webdav.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LockRequestTest {
    static byte[] body(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parsesScopeDepthOwnerAndTimeout() {
        LockRequest r = LockRequest.parse(body("<a:lockinfo xmlns:a=\"DAV:\"><a:lockscope><a:shared/></a:lockscope>"
                + "<a:locktype><a:write/></a:locktype><a:owner><a:href>me</a:href></a:owner></a:lockinfo>"), "0",
                "Second-30, Infinite");
        assertThat(r.create()).isTrue();
        assertThat(r.exclusive()).isFalse();
        assertThat(r.infinite()).isFalse();
        assertThat(r.timeoutSeconds()).isEqualTo(30);
        assertThat(r.owner()).contains("owner").contains("<a:href>me</a:href>").contains("xmlns:a=\"DAV:\"");
    }

    @Test
    void anEmptyBodyIsARefresh() {
        LockRequest r = LockRequest.parse(new byte[0], null, null);
        assertThat(r.create()).isFalse();
        assertThat(r.infinite()).isTrue();
        assertThat(r.timeoutSeconds()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"Infinite,0", "infinite,0", "Second-0,1", "Second-4100000000,2147483647", "'Second-5, Second-9',5"})
    void timeouts(String header, int seconds) {
        assertThat(LockRequest.parseTimeout(header)).isEqualTo(seconds);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Second-", "Second--1", "Second-1x", "Minute-5", "Second-99999999999999999999", "5"})
    void badTimeouts(String header) {
        assertThatThrownBy(() -> LockRequest.parseTimeout(header)).isInstanceOf(LockRequest.Invalid.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "2", "", "infinite"})
    void badDepths(String depth) {
        assertThatThrownBy(() -> LockRequest.parseDepth(depth)).isInstanceOf(LockRequest.Invalid.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><D:lockinfo xmlns:D=\"DAV:\">&e;</D:lockinfo>",
            "<D:lockinfo xmlns:D=\"DAV:\">",
            "<lockinfo><lockscope><exclusive/></lockscope><locktype><write/></locktype></lockinfo>",
            "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:read/></D:locktype></D:lockinfo>",
            "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:both/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>",
            "<D:propfind xmlns:D=\"DAV:\"/>"})
    void badBodies(String xml) {
        assertThatThrownBy(() -> LockRequest.parse(body(xml), null, null)).isInstanceOf(LockRequest.Invalid.class);
    }

    @Test
    void anOversizedOwnerIsRefused() {
        String xml = "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/>"
                + "</D:locktype><D:owner>" + "x".repeat(LockRequest.MAX_OWNER) + "</D:owner></D:lockinfo>";
        assertThatThrownBy(() -> LockRequest.parse(body(xml), null, null)).isInstanceOf(LockRequest.Invalid.class);
    }
}
