package org.pohmelfs.gateway.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.gateway.webdav.resource.DavResourceFactory;
import org.pohmelfs.protocol.ObjectPath;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * WebDAV under races, each made deterministic: a second writer (the REST API of the same
 * gateway, a separate request and transaction) changes the tree right after Milton has looked
 * the object up and before it acts, through {@link DavResourceFactory#observeLookups}. Each
 * answer must be what a single server would give had the change come just before or just
 * after the request: never a 5xx.
 */
class DavRacesTest {
    static Path dir;
    static LocalNodes nodes;
    static ConfigurableApplicationContext gateway;
    static DavResourceFactory factory;
    static String base;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("dav-races-test");
        nodes = LocalNodes.start(dir, 1);
        gateway = GatewayTestSupport.startGateway("gw1", nodes.addresses());
        base = GatewayTestSupport.baseUrl(gateway);
        factory = gateway.getBean(DavResourceFactory.class);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        nodes.close();
    }

    @AfterEach
    void noMoreChanges() {
        factory.observeLookups(null);
    }

    static HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    /** A REST request that must succeed (the second writer). */
    static HttpResponse<byte[]> rest(String method, String pathAndQuery, byte[] body) {
        try {
            HttpResponse<byte[]> r = send(method, "/api/v1/files" + pathAndQuery, body);
            assertThat(r.statusCode()).as("%s %s: %s", method, pathAndQuery, text(r)).isBetween(200, 299);
            return r;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Runs {@code change} once, right after the first lookup of {@code path} that asked the node.
     *
     * @return how often it ran (0 or 1), to check the race really happened
     */
    static AtomicInteger afterLookupOf(String path, Runnable change) {
        ObjectPath target = ObjectPath.parse(path);
        AtomicBoolean armed = new AtomicBoolean(true);
        AtomicInteger ran = new AtomicInteger();
        factory.observeLookups((looked, resource) -> {
            if (looked.equals(target) && armed.compareAndSet(true, false)) {
                change.run();
                ran.incrementAndGet();
            }
        });
        return ran;
    }

    // ---------------------------------------------------------------- GET

    @Test
    void aGetOfAFileReplacedAfterTheLookupServesTheNewVersionWhole() throws Exception {
        rest("PUT", "/g1.txt", utf8("old"));
        AtomicInteger ran = afterLookupOf("/g1.txt", () -> rest("PUT", "/g1.txt", utf8("the new version")));
        HttpResponse<byte[]> get = send("GET", "/dav/g1.txt", null);
        assertThat(ran).hasValue(1);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(text(get)).isEqualTo("the new version");
        HttpResponse<byte[]> now = send("HEAD", "/api/v1/files/g1.txt", null);
        assertThat(get.headers().firstValue("ETag")).isEqualTo(now.headers().firstValue("ETag"));
        assertThat(get.headers().firstValueAsLong("Content-Length")).hasValue("the new version".length());
    }

    @Test
    void aGetOfALargeFileReplacedAfterTheLookupServesTheNewVersionWhole() throws Exception {
        byte[] old = new byte[3 * 1024 * 1024 + 17];
        Arrays.fill(old, (byte) 'o');
        byte[] fresh = new byte[2 * 1024 * 1024 + 5];
        Arrays.fill(fresh, (byte) 'n');
        rest("PUT", "/g2.bin", old);
        AtomicInteger ran = afterLookupOf("/g2.bin", () -> rest("PUT", "/g2.bin", fresh));
        HttpResponse<byte[]> get = send("GET", "/dav/g2.bin", null);
        assertThat(ran).hasValue(1);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(Arrays.equals(get.body(), fresh)).as("the body is the new version, whole").isTrue();
    }

    @Test
    void aRangeGetOfAFileReplacedAfterTheLookupServesTheRangeOfTheNewVersion() throws Exception {
        rest("PUT", "/g3.txt", utf8("0123456789"));
        afterLookupOf("/g3.txt", () -> rest("PUT", "/g3.txt", utf8("abcdefghij")));
        HttpResponse<byte[]> get = send("GET", "/dav/g3.txt", null, "Range", "bytes=2-4");
        assertThat(get.statusCode()).isEqualTo(206);
        assertThat(text(get)).isEqualTo("cde");
        assertThat(get.headers().firstValue("Content-Range")).hasValue("bytes 2-4/10");
    }

    @Test
    void aGetOfAFileDeletedAfterTheLookupIs404() throws Exception {
        rest("PUT", "/g4.txt", utf8("here"));
        AtomicInteger ran = afterLookupOf("/g4.txt", () -> rest("DELETE", "/g4.txt", null));
        assertThat(send("GET", "/dav/g4.txt", null).statusCode()).isEqualTo(404);
        assertThat(ran).hasValue(1);
    }

    // ---------------------------------------------------------------- PUT

    @Test
    void aPutOfAFileCreatedAfterTheLookupReplacesIt() throws Exception {
        AtomicInteger ran = afterLookupOf("/p1.txt", () -> rest("PUT", "/p1.txt", utf8("theirs")));
        HttpResponse<byte[]> put = send("PUT", "/dav/p1.txt", utf8("mine"));
        assertThat(ran).hasValue(1);
        assertThat(put.statusCode()).as(text(put)).isIn(201, 204);
        assertThat(text(send("GET", "/dav/p1.txt", null))).isEqualTo("mine");
    }

    @Test
    void aPutOfAFileDeletedAfterTheLookupCreatesItAgain() throws Exception {
        rest("PUT", "/p2.txt", utf8("theirs"));
        afterLookupOf("/p2.txt", () -> rest("DELETE", "/p2.txt", null));
        HttpResponse<byte[]> put = send("PUT", "/dav/p2.txt", utf8("mine"));
        assertThat(put.statusCode()).as(text(put)).isIn(201, 204);
        assertThat(text(send("GET", "/dav/p2.txt", null))).isEqualTo("mine");
    }

    @Test
    void aPutIntoAFolderDeletedAfterTheLookupIs409() throws Exception {
        rest("PUT", "/p3/f.txt?parents=true", utf8("x"));
        AtomicInteger ran = afterLookupOf("/p3/f.txt", () -> rest("DELETE", "/p3?recursive=true", null));
        HttpResponse<byte[]> put = send("PUT", "/dav/p3/f.txt", utf8("mine"));
        assertThat(ran).hasValue(1);
        assertThat(put.statusCode()).as(text(put)).isEqualTo(409);
        assertThat(send("GET", "/dav/p3/", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aPutWithoutItsParentIs409() throws Exception {
        HttpResponse<byte[]> put = send("PUT", "/dav/p5-nowhere/new.txt", utf8("mine"));
        assertThat(put.statusCode()).as(text(put)).isEqualTo(409);
    }

    @Test
    void aPutOfANewFileInAFolderDeletedAfterTheLookupIs409() throws Exception {
        rest("POST", "/p4?action=mkdir", null);
        AtomicInteger ran = afterLookupOf("/p4/new.txt", () -> rest("DELETE", "/p4?recursive=true", null));
        HttpResponse<byte[]> put = send("PUT", "/dav/p4/new.txt", utf8("mine"));
        assertThat(ran).hasValue(1);
        assertThat(put.statusCode()).as(text(put)).isEqualTo(409);
    }

    // ---------------------------------------------------------------- DELETE, MOVE, COPY

    @Test
    void aDeleteOfAFileDeletedAfterTheLookupIs404() throws Exception {
        rest("PUT", "/d1.txt", utf8("x"));
        AtomicInteger ran = afterLookupOf("/d1.txt", () -> rest("DELETE", "/d1.txt", null));
        assertThat(send("DELETE", "/dav/d1.txt", null).statusCode()).isEqualTo(404);
        assertThat(ran).hasValue(1);
    }

    @Test
    void aMoveOfAFileDeletedAfterTheLookupIs404() throws Exception {
        rest("PUT", "/m1.txt", utf8("x"));
        afterLookupOf("/m1.txt", () -> rest("DELETE", "/m1.txt", null));
        assertThat(send("MOVE", "/dav/m1.txt", null, "Destination", base + "/dav/m1-moved.txt").statusCode())
                .isEqualTo(404);
        assertThat(send("GET", "/dav/m1-moved.txt", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aMoveIntoAFolderDeletedAfterTheLookupIs409() throws Exception {
        rest("PUT", "/m2.txt", utf8("x"));
        rest("POST", "/m2dir?action=mkdir", null);
        afterLookupOf("/m2dir", () -> rest("DELETE", "/m2dir?recursive=true", null));
        assertThat(send("MOVE", "/dav/m2.txt", null, "Destination", base + "/dav/m2dir/m2.txt").statusCode())
                .isEqualTo(409);
        assertThat(text(send("GET", "/dav/m2.txt", null))).isEqualTo("x");
    }

    @Test
    void aCopyOfAFileDeletedAfterTheLookupIs404() throws Exception {
        rest("PUT", "/c1.txt", utf8("x"));
        afterLookupOf("/c1.txt", () -> rest("DELETE", "/c1.txt", null));
        assertThat(send("COPY", "/dav/c1.txt", null, "Destination", base + "/dav/c1-copy.txt").statusCode())
                .isEqualTo(404);
    }

    // ---------------------------------------------------------------- PROPFIND, PROPPATCH, MKCOL

    static final String PROPFIND_ALL = "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:allprop/></D:propfind>";

    @Test
    void aPropfindOfAFolderDeletedAfterTheLookupIs404() throws Exception {
        rest("PUT", "/f1/a.txt?parents=true", utf8("x"));
        afterLookupOf("/f1", () -> rest("DELETE", "/f1?recursive=true", null));
        HttpResponse<byte[]> r = send("PROPFIND", "/dav/f1/", utf8(PROPFIND_ALL), "Depth", "1");
        assertThat(r.statusCode()).as(text(r)).isEqualTo(404);
    }

    @Test
    void aPropfindOfAFileDeletedAfterTheLookupAnswersItsSnapshotOr404() throws Exception {
        rest("PUT", "/f2.txt", utf8("x"));
        afterLookupOf("/f2.txt", () -> rest("DELETE", "/f2.txt", null));
        HttpResponse<byte[]> r = send("PROPFIND", "/dav/f2.txt", utf8(PROPFIND_ALL), "Depth", "0");
        assertThat(r.statusCode()).as(text(r)).isIn(207, 404);
    }

    @Test
    void aProppatchOfAFileDeletedAfterTheLookupIs404() throws Exception {
        rest("PUT", "/pp.txt", utf8("x"));
        afterLookupOf("/pp.txt", () -> rest("DELETE", "/pp.txt", null));
        String set = "<?xml version=\"1.0\"?><D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:example:z\">"
                + "<D:set><D:prop><Z:colour>blue</Z:colour></D:prop></D:set></D:propertyupdate>";
        HttpResponse<byte[]> r = send("PROPPATCH", "/dav/pp.txt", utf8(set));
        assertThat(r.statusCode()).as(text(r)).isEqualTo(404);
    }

    @Test
    void aMkcolOfAFolderCreatedAfterTheLookupIs405() throws Exception {
        AtomicInteger ran = afterLookupOf("/k1", () -> rest("POST", "/k1?action=mkdir", null));
        HttpResponse<byte[]> r = send("MKCOL", "/dav/k1/", null);
        assertThat(ran).hasValue(1);
        assertThat(r.statusCode()).as(text(r)).isEqualTo(405);
    }
}
