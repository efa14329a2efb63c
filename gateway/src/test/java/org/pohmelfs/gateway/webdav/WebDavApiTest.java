package org.pohmelfs.gateway.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** The WebDAV front end end to end, with the JDK's HTTP client against a real gateway and node. */
class WebDavApiTest {
    static Path dir;
    static LocalNodes nodes;
    static ConfigurableApplicationContext gateway;
    static String base;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("webdav-api-test");
        nodes = LocalNodes.start(dir, 1, java.time.Duration.ofSeconds(1)); // leases: runs through the cache
        gateway = GatewayTestSupport.startGateway("gw1", nodes.addresses());
        base = GatewayTestSupport.baseUrl(gateway);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        nodes.close();
    }

    static HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) throws Exception {
        // A bound, so a hang fails this test instead of stalling the build.
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(java.time.Duration.ofSeconds(60)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Document xml(HttpResponse<byte[]> r) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(r.body()));
    }

    static List<String> texts(Document d, String ns, String local) {
        NodeList list = d.getElementsByTagNameNS(ns, local);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.getLength(); i++) {
            out.add(list.item(i).getTextContent());
        }
        return out;
    }

    static final String PROPFIND_ALL = "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:allprop/></D:propfind>";

    @Test
    void optionsAdvertisesClassesOneAndTwo() throws Exception {
        HttpResponse<byte[]> r = send("OPTIONS", "/dav/", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("DAV").orElseThrow().replace(" ", "")).isEqualTo("1,2");
        assertThat(r.headers().firstValue("MS-Author-Via")).contains("DAV");
        // a LOCK without a body is a refresh; without a lock token there is nothing to refresh
        assertThat(send("LOCK", "/dav/", null).statusCode()).isEqualTo(412);
    }

    @Test
    void mkcolPutPropfindGetHeadRangeDelete() throws Exception {
        assertThat(send("MKCOL", "/dav/c1/", null).statusCode()).isEqualTo(201);
        assertThat(send("MKCOL", "/dav/c1/", null).statusCode()).isEqualTo(405);
        assertThat(send("MKCOL", "/dav/missing/child/", null).statusCode()).isEqualTo(409);
        byte[] content = new byte[2 * 1024 * 1024 + 5];
        ThreadLocalRandom.current().nextBytes(content);
        assertThat(send("PUT", "/dav/c1/data.bin", content).statusCode()).isEqualTo(201);

        HttpResponse<byte[]> d0 = send("PROPFIND", "/dav/c1/", utf8(PROPFIND_ALL), "Depth", "0");
        assertThat(d0.statusCode()).isEqualTo(207);
        assertThat(texts(xml(d0), "DAV:", "href")).hasSize(1);
        HttpResponse<byte[]> d1 = send("PROPFIND", "/dav/c1/", utf8(PROPFIND_ALL), "Depth", "1");
        Document doc = xml(d1);
        assertThat(texts(doc, "DAV:", "href")).hasSize(2).anyMatch(h -> h.endsWith("/dav/c1/data.bin"));
        assertThat(texts(doc, "DAV:", "getcontentlength")).contains(String.valueOf(content.length));

        HttpResponse<byte[]> get = send("GET", "/dav/c1/data.bin", null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(content);
        assertThat(get.headers().firstValue("Content-Length")).contains(String.valueOf(content.length));
        HttpResponse<byte[]> head = send("HEAD", "/dav/c1/data.bin", null);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).contains(String.valueOf(content.length));
        assertThat(head.headers().firstValue("ETag")).isEqualTo(get.headers().firstValue("ETag"));

        HttpResponse<byte[]> range = send("GET", "/dav/c1/data.bin", null, "Range", "bytes=10-19");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(content, 10, 20));
        assertThat(range.headers().firstValue("Content-Length")).contains("10");
        assertThat(range.headers().firstValue("Content-Range")).contains("bytes 10-19/" + content.length);

        assertThat(send("DELETE", "/dav/c1/", null).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/dav/c1/data.bin", null).statusCode()).isEqualTo(404);
    }

    @Test
    void copyAndMoveHonourOverwrite() throws Exception {
        send("MKCOL", "/dav/cm/", null);
        send("PUT", "/dav/cm/a.txt", utf8("a"));
        send("PUT", "/dav/cm/b.txt", utf8("b"));
        String dest = base + "/dav/cm/b.txt";
        assertThat(send("COPY", "/dav/cm/a.txt", null, "Destination", dest, "Overwrite", "F").statusCode()).isEqualTo(412);
        assertThat(send("COPY", "/dav/cm/a.txt", null, "Destination", dest, "Overwrite", "T").statusCode()).isEqualTo(204);
        assertThat(send("GET", "/dav/cm/b.txt", null).body()).isEqualTo(utf8("a"));
        assertThat(send("MOVE", "/dav/cm/a.txt", null, "Destination", base + "/dav/cm/c.txt").statusCode()).isEqualTo(201);
        assertThat(send("GET", "/dav/cm/a.txt", null).statusCode()).isEqualTo(404);
        assertThat(send("MOVE", "/dav/cm/c.txt", null, "Destination", dest, "Overwrite", "F").statusCode()).isEqualTo(412);
        assertThat(send("MOVE", "/dav/cm/c.txt", null, "Destination", "http://elsewhere.example/dav/x").statusCode())
                .isEqualTo(502);
        assertThat(send("MOVE", "/dav/cm/c.txt", null, "Destination", base + "/api/v1/files/x").statusCode())
                .isEqualTo(502);
        assertThat(send("MOVE", "/dav/cm/c.txt", null, "Destination", base + "/dav/%2e%2e/x").statusCode())
                .isEqualTo(400);
    }

    @Test
    void proppatchSetAndRemoveShowInPropfind() throws Exception {
        send("PUT", "/dav/props.txt", utf8("p"));
        String set = "<?xml version=\"1.0\"?><D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:example:z\">"
                + "<D:set><D:prop><Z:colour>blue</Z:colour><Z:size>7</Z:size></D:prop></D:set></D:propertyupdate>";
        assertThat(send("PROPPATCH", "/dav/props.txt", utf8(set)).statusCode()).isEqualTo(207);
        String ask = "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\" xmlns:Z=\"urn:example:z\">"
                + "<D:prop><Z:colour/><Z:size/></D:prop></D:propfind>";
        Document found = xml(send("PROPFIND", "/dav/props.txt", utf8(ask), "Depth", "0"));
        assertThat(texts(found, "urn:example:z", "colour")).containsExactly("blue");
        assertThat(texts(found, "urn:example:z", "size")).containsExactly("7");

        String remove = "<?xml version=\"1.0\"?><D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:example:z\">"
                + "<D:remove><D:prop><Z:colour/></D:prop></D:remove></D:propertyupdate>";
        assertThat(send("PROPPATCH", "/dav/props.txt", utf8(remove)).statusCode()).isEqualTo(207);
        Document after = xml(send("PROPFIND", "/dav/props.txt", utf8(ask), "Depth", "0"));
        List<String> statuses = texts(after, "DAV:", "status");
        assertThat(statuses).anyMatch(s -> s.contains("404"));
        assertThat(texts(after, "urn:example:z", "size")).containsExactly("7");
    }

    @Test
    void xmlAttacksAreRefused() throws Exception {
        send("PUT", "/dav/xxe.txt", utf8("x"));
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE D [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:displayname>&e;</D:displayname></D:prop></D:propfind>";
        HttpResponse<byte[]> r = send("PROPFIND", "/dav/xxe.txt", utf8(xxe), "Depth", "0");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("root:");
        String bomb = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">"
                + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;\">]><D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:z\"><D:set><D:prop>"
                + "<Z:x>&c;</Z:x></D:prop></D:set></D:propertyupdate>";
        assertThat(send("PROPPATCH", "/dav/xxe.txt", utf8(bomb)).statusCode()).isEqualTo(400);
        byte[] utf16 = ("<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<D:propfind xmlns:D=\"DAV:\"><D:allprop/></D:propfind>").getBytes(StandardCharsets.UTF_16);
        assertThat(send("PROPFIND", "/dav/xxe.txt", utf16, "Depth", "0").statusCode()).isEqualTo(400);
    }

    @Test
    void depthIsChecked() throws Exception {
        HttpResponse<byte[]> infinity = send("PROPFIND", "/dav/", utf8(PROPFIND_ALL), "Depth", "infinity");
        assertThat(infinity.statusCode()).isEqualTo(403);
        assertThat(texts(xml(infinity), "DAV:", "propfind-finite-depth")).hasSize(1);
        assertThat(send("PROPFIND", "/dav/", utf8(PROPFIND_ALL), "Depth", "2").statusCode()).isEqualTo(400);
        assertThat(send("PROPFIND", "/dav/%2e%2e/etc", utf8(PROPFIND_ALL), "Depth", "0").statusCode()).isEqualTo(400);
    }

    @Test
    void restAndWebDavShareEtags() throws Exception {
        HttpResponse<byte[]> put = send("PUT", "/dav/shared.txt", utf8("one"));
        String davEtag = put.headers().firstValue("ETag")
                .orElseGet(() -> send0("HEAD", "/dav/shared.txt").headers().firstValue("ETag").orElseThrow());
        HttpResponse<byte[]> rest = send("GET", "/api/v1/files/shared.txt", null);
        assertThat(rest.headers().firstValue("ETag")).contains(davEtag);

        HttpResponse<byte[]> restPut = send("PUT", "/api/v1/files/shared.txt", utf8("two"));
        String restEtag = restPut.headers().firstValue("ETag").orElseThrow();
        HttpResponse<byte[]> dav = send("GET", "/dav/shared.txt", null);
        assertThat(dav.headers().firstValue("ETag")).contains(restEtag);
        assertThat(dav.body()).isEqualTo(utf8("two"));
        Document props = xml(send("PROPFIND", "/dav/shared.txt", utf8(PROPFIND_ALL), "Depth", "0"));
        assertThat(texts(props, "DAV:", "getetag")).containsExactly(restEtag);
    }

    static HttpResponse<byte[]> send0(String method, String path) {
        try {
            return send(method, path, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
