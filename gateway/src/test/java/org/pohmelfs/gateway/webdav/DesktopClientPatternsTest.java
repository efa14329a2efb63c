package org.pohmelfs.gateway.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.node.store.StoreSettings;
import org.springframework.context.ConfigurableApplicationContext;
import org.w3c.dom.Document;

/**
 * Request sequences of Windows' mini-redirector (MS-WDV, MS-WDVME) and macOS Finder (WebDAVFS)
 * replayed with their headers, plus ranges, quota properties, finite depth, collection ETags and
 * node errors with their own status (507 from a node with a tiny size limit).
 */
class DesktopClientPatternsTest {
    static final String WINDOWS = "Microsoft-WebDAV-MiniRedir/10.0.19045";
    static final String FINDER = "WebDAVFS/3.0.0 (03008000) Darwin/22.1.0 (x86_64)";
    static final String MS = "urn:schemas-microsoft-com:";

    static Path dir;
    static LocalNodes nodes;
    static LocalNodes tiny;
    static ConfigurableApplicationContext gateway;
    static ConfigurableApplicationContext tinyGateway;
    static String base;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("desktop-patterns-test");
        nodes = LocalNodes.start(dir, 1, java.time.Duration.ofSeconds(1)); // leases: runs through the cache
        gateway = GatewayTestSupport.startGateway("gw1", nodes.addresses());
        base = GatewayTestSupport.baseUrl(gateway);
        tiny = new LocalNodes(java.time.Duration.ofSeconds(1));
        tiny.add(dir, "tiny", StoreSettings.defaults(Files.createDirectories(dir.resolve("tiny")))
                .withSizeLimit(256 * 1024));
        tinyGateway = GatewayTestSupport.startGateway("gw-tiny", tiny.addresses());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {tinyGateway, gateway, tiny, nodes}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    static HttpResponse<byte[]> send(String root, String method, String path, byte[] body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root + path)).timeout(java.time.Duration.ofSeconds(30)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers) throws Exception {
        return send(base, method, path, body, headers);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Document xml(HttpResponse<byte[]> r) throws Exception {
        return WebDavApiTest.xml(r);
    }

    static String prop(HttpResponse<byte[]> r, String ns, String local) throws Exception {
        List<String> values = WebDavApiTest.texts(xml(r), ns, local);
        assertThat(values).as("%s in %s", local, new String(r.body(), StandardCharsets.UTF_8)).isNotEmpty();
        return values.getFirst();
    }

    static final String PROPFIND_ALL = "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:allprop/></D:propfind>";

    /** The body Windows 10's mini-redirector sends with its PROPFINDs (MS-WDV examples). */
    static final String WINDOWS_PROPFIND = "<?xml version=\"1.0\" encoding=\"utf-8\" ?><D:propfind xmlns:D=\"DAV:\">"
            + "<D:prop><D:creationdate/><D:getcontentlength/><D:displayname/><D:getcontenttype/>"
            + "<D:getlastmodified/><D:resourcetype/><D:iscollection/><D:isreadonly/><D:ishidden/>"
            + "<D:getetag/><D:quota-available-bytes/><D:quota-used-bytes/></D:prop></D:propfind>";

    // ---- Windows ----

    @Test
    void windowsOptionsAndRootPropfind() throws Exception {
        HttpResponse<byte[]> options = send("OPTIONS", "/dav/", null, "User-Agent", WINDOWS, "Translate", "f");
        assertThat(options.statusCode()).isEqualTo(200);
        assertThat(options.headers().firstValue("MS-Author-Via")).contains("DAV");
        assertThat(options.headers().firstValue("DAV")).isPresent();
        assertThat(options.headers().firstValue("Allow").orElse("")).contains("PROPFIND", "PUT");

        HttpResponse<byte[]> root = send("PROPFIND", "/dav/", utf8(WINDOWS_PROPFIND),
                "User-Agent", WINDOWS, "Translate", "f", "Depth", "0", "Content-Type", "text/xml; charset=\"utf-8\"");
        assertThat(root.statusCode()).isEqualTo(207);
        assertThat(WebDavApiTest.texts(xml(root), "DAV:", "href")).hasSize(1);
        assertThat(WebDavApiTest.texts(xml(root), "DAV:", "collection")).hasSize(1);
    }

    @Test
    void windowsSavesANewFileWithWin32Properties() throws Exception {
        assertThat(send("MKCOL", "/dav/win/", null, "User-Agent", WINDOWS).statusCode()).isEqualTo(201);
        // Explorer: PUT of 0 bytes, then the content, then PROPPATCH of the Win32 times.
        assertThat(send("PUT", "/dav/win/report.txt", new byte[0], "User-Agent", WINDOWS, "Translate", "f")
                .statusCode()).isEqualTo(201);
        byte[] content = utf8("quarterly report\r\n");
        assertThat(send("PUT", "/dav/win/report.txt", content, "User-Agent", WINDOWS, "Translate", "f")
                .statusCode()).isIn(200, 201, 204);
        String patch = "<?xml version=\"1.0\" encoding=\"utf-8\" ?><D:propertyupdate xmlns:D=\"DAV:\" "
                + "xmlns:Z=\"urn:schemas-microsoft-com:\"><D:set><D:prop>"
                + "<Z:Win32CreationTime>Tue, 01 Jun 2021 10:00:00 GMT</Z:Win32CreationTime>"
                + "<Z:Win32LastAccessTime>Wed, 02 Jun 2021 11:00:00 GMT</Z:Win32LastAccessTime>"
                + "<Z:Win32LastModifiedTime>Thu, 03 Jun 2021 12:34:56 GMT</Z:Win32LastModifiedTime>"
                + "<Z:Win32FileAttributes>00000020</Z:Win32FileAttributes>"
                + "</D:prop></D:set></D:propertyupdate>";
        HttpResponse<byte[]> r = send("PROPPATCH", "/dav/win/report.txt", utf8(patch),
                "User-Agent", WINDOWS, "Translate", "f", "Content-Type", "text/xml; charset=\"utf-8\"");
        assertThat(r.statusCode()).isEqualTo(207);
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(WebDavApiTest.texts(xml(r), "DAV:", "status")).as(body).allMatch(s -> s.contains(" 200 "));
        assertThat(send("GET", "/dav/win/report.txt", null, "Translate", "f").body()).isEqualTo(content);

        HttpResponse<byte[]> props = send("PROPFIND", "/dav/win/report.txt", utf8(PROPFIND_ALL), "Depth", "0");
        assertThat(prop(props, MS, "Win32FileAttributes")).isEqualTo("00000020");
        // Win32LastModifiedTime sets the file's mtime on the node: getlastmodified follows.
        assertThat(prop(props, "DAV:", "getlastmodified")).isEqualTo("Thu, 03 Jun 2021 12:34:56 GMT");
    }

    // ---- Finder ----

    @Test
    void finderChunkedPutWithExpectedEntityLength() throws Exception {
        assertThat(send("MKCOL", "/dav/mac/", null, "User-Agent", FINDER).statusCode()).isEqualTo(201);
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(9).nextBytes(content);
        // Finder first creates the file empty, then sends the content chunked with its length in a header.
        assertThat(send("PUT", "/dav/mac/photo.jpg", new byte[0], "User-Agent", FINDER).statusCode()).isEqualTo(201);
        HttpRequest put = HttpRequest.newBuilder(URI.create(base + "/dav/mac/photo.jpg"))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(content)))
                .header("User-Agent", FINDER)
                .header("X-Expected-Entity-Length", String.valueOf(content.length))
                .build();
        HttpResponse<byte[]> r = http.send(put, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isIn(200, 201, 204);
        assertThat(send("GET", "/dav/mac/photo.jpg", null).body()).isEqualTo(content);
    }

    @Test
    void finderProbesOfAppleDoubleAndDsStoreAre404() throws Exception {
        for (String probe : List.of("/dav/._photo.jpg", "/dav/.DS_Store", "/dav/._", "/dav/mac-missing/._x")) {
            assertThat(send("PROPFIND", probe, utf8(PROPFIND_ALL), "User-Agent", FINDER, "Depth", "0").statusCode())
                    .as(probe).isEqualTo(404);
            assertThat(send("GET", probe, null, "User-Agent", FINDER).statusCode()).as(probe).isEqualTo(404);
        }
    }

    @Test
    void namesInNfdAndNfcAreTheSameFile() throws Exception {
        String nfc = Normalizer.normalize("Café Übersicht", Normalizer.Form.NFC);
        String nfd = Normalizer.normalize(nfc, Normalizer.Form.NFD);
        assertThat(nfd).isNotEqualTo(nfc);
        assertThat(send("MKCOL", "/dav/nf/", null).statusCode()).isEqualTo(201);
        assertThat(send("PUT", "/dav/nf/" + enc(nfd), utf8("from a Mac"), "User-Agent", FINDER).statusCode())
                .isEqualTo(201);
        assertThat(send("GET", "/dav/nf/" + enc(nfc), null).body()).isEqualTo(utf8("from a Mac"));
        assertThat(send("GET", "/dav/nf/" + enc(nfd), null).body()).isEqualTo(utf8("from a Mac"));
        HttpResponse<byte[]> list = send("PROPFIND", "/dav/nf/", utf8(PROPFIND_ALL), "Depth", "1");
        List<String> hrefs = WebDavApiTest.texts(xml(list), "DAV:", "href").stream()
                .map(h -> java.net.URLDecoder.decode(h.replace("+", "%2B"), StandardCharsets.UTF_8)).toList();
        assertThat(hrefs).hasSize(2).anyMatch(h -> h.endsWith("/nf/" + nfc));
        // And the other way round: PUT in NFC, found in NFD.
        assertThat(send("PUT", "/dav/nf/" + enc("Å"), utf8("x")).statusCode()).isEqualTo(201);
        assertThat(send("GET", "/dav/nf/" + enc(Normalizer.normalize("Å", Normalizer.Form.NFD)), null).statusCode())
                .isEqualTo(200);
    }

    @Test
    void dateFormats() throws Exception {
        assertThat(send("PUT", "/dav/dated.txt", utf8("d")).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> r = send("PROPFIND", "/dav/dated.txt", utf8(PROPFIND_ALL), "Depth", "0");
        // getlastmodified: RFC 1123; creationdate: RFC 3339 (ISO 8601).
        ZonedDateTime.parse(prop(r, "DAV:", "getlastmodified"), DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(prop(r, "DAV:", "getlastmodified")).endsWith(" GMT");
        DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(prop(r, "DAV:", "creationdate"));
    }

    // ---- ranges ----

    @Test
    void rangeRequests() throws Exception {
        byte[] content = new byte[300_000];
        new Random(4).nextBytes(content);
        assertThat(send("PUT", "/dav/ranged.bin", content).statusCode()).isEqualTo(201);
        int n = content.length;
        check(send("GET", "/dav/ranged.bin", null, "Range", "bytes=100-199"), content, 100, 200);
        check(send("GET", "/dav/ranged.bin", null, "Range", "bytes=299000-"), content, 299_000, n);
        check(send("GET", "/dav/ranged.bin", null, "Range", "bytes=-500"), content, n - 500, n);
        check(send("GET", "/dav/ranged.bin", null, "Range", "bytes=299990-400000"), content, 299_990, n);
        assertThat(send("GET", "/dav/ranged.bin", null, "Range", "bytes=400000-400010").statusCode()).isEqualTo(416);
        HttpResponse<byte[]> multi = send("GET", "/dav/ranged.bin", null, "Range", "bytes=0-9,20-29");
        if (multi.statusCode() == 200) {
            assertThat(multi.body()).isEqualTo(content); // a server may ignore a multi-range request
        } else {
            assertThat(multi.statusCode()).isEqualTo(206);
            assertThat(multi.headers().firstValue("Content-Type").orElse("")).startsWith("multipart/byteranges");
        }
    }

    static void check(HttpResponse<byte[]> r, byte[] content, int from, int to) {
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(content, from, to));
        assertThat(r.headers().firstValue("Content-Length")).contains(String.valueOf(to - from));
        assertThat(r.headers().firstValue("Content-Range")).contains("bytes " + from + "-" + (to - 1) + "/" + content.length);
    }

    // ---- properties, depth, etags ----

    @Test
    void quotaPropertiesFollowTheNode() throws Exception {
        HttpResponse<byte[]> r = send("PROPFIND", "/dav/", utf8(WINDOWS_PROPFIND), "Depth", "0");
        long available = Long.parseLong(prop(r, "DAV:", "quota-available-bytes"));
        long used = Long.parseLong(prop(r, "DAV:", "quota-used-bytes"));
        assertThat(available).isPositive();
        assertThat(used).isNotNegative();
        // On the tiny node the limit bounds what is available.
        HttpResponse<byte[]> t = send(GatewayTestSupport.baseUrl(tinyGateway), "PROPFIND", "/dav/",
                utf8(WINDOWS_PROPFIND), "Depth", "0");
        assertThat(Long.parseLong(prop(t, "DAV:", "quota-available-bytes"))).isLessThanOrEqualTo(256 * 1024);
    }

    @Test
    void depthInfinityIsRefusedWithThePrecondition() throws Exception {
        HttpResponse<byte[]> r = send("PROPFIND", "/dav/", utf8(PROPFIND_ALL), "Depth", "infinity");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(xml(r).getElementsByTagNameNS("DAV:", "propfind-finite-depth").getLength()).isEqualTo(1);
    }

    @Test
    void collectionEtagChangesWhenAnythingBelowChanges() throws Exception {
        assertThat(send("MKCOL", "/dav/et/", null).statusCode()).isEqualTo(201);
        assertThat(send("MKCOL", "/dav/et/a/", null).statusCode()).isEqualTo(201);
        assertThat(send("MKCOL", "/dav/et/a/b/", null).statusCode()).isEqualTo(201);
        String e0 = etag("/dav/et/");
        assertThat(send("PUT", "/dav/et/a/b/f.txt", utf8("1")).statusCode()).isEqualTo(201);
        String e1 = etag("/dav/et/");
        assertThat(e1).isNotEqualTo(e0);
        assertThat(send("PUT", "/dav/et/a/b/f.txt", utf8("22")).statusCode()).isIn(200, 201, 204);
        String e2 = etag("/dav/et/");
        assertThat(e2).isNotEqualTo(e1);
        assertThat(send("DELETE", "/dav/et/a/b/f.txt", null).statusCode()).isEqualTo(204);
        assertThat(etag("/dav/et/")).isNotEqualTo(e2);
    }

    String etag(String path) throws Exception {
        HttpResponse<byte[]> r = send("PROPFIND", path, utf8(PROPFIND_ALL), "Depth", "0");
        return prop(r, "DAV:", "getetag");
    }

    // ---- node errors ----

    @Test
    void noSpaceIs507AndTheOldContentIsKept() throws Exception {
        String tinyBase = GatewayTestSupport.baseUrl(tinyGateway);
        assertThat(send(tinyBase, "PUT", "/dav/keep.bin", utf8("old content")).statusCode()).isEqualTo(201);
        byte[] big = new byte[1024 * 1024];
        HttpResponse<byte[]> r = send(tinyBase, "PUT", "/dav/keep.bin", big);
        assertThat(r.statusCode()).isEqualTo(507);
        assertThat(send(tinyBase, "GET", "/dav/keep.bin", null).body()).isEqualTo(utf8("old content"));
        assertThat(send(tinyBase, "PUT", "/dav/new.bin", big).statusCode()).isEqualTo(507);
        // Without Content-Length Milton's storage check cannot refuse up front: the node's NO_SPACE
        // comes back through the status hint, and the old content is still kept.
        HttpResponse<byte[]> chunked = http.send(HttpRequest.newBuilder(URI.create(tinyBase + "/dav/keep.bin"))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .timeout(java.time.Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(chunked.statusCode()).isEqualTo(507);
        assertThat(send(tinyBase, "GET", "/dav/keep.bin", null).body()).isEqualTo(utf8("old content"));
    }

    static String enc(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
