package org.pohmelfs.gateway.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * GET and HEAD of small files answered without Milton ({@link DavFastGet}), against a real
 * leasing node (so from the cache): the answers match a gateway with the fast path off, the
 * conditional headers give 304/412, and what the fast path must not answer goes to Milton.
 * Each test checks which path answered with the filter's counter.
 */
class DavFastGetTest {
    static LocalNodes nodes;
    static ConfigurableApplicationContext fast;
    static ConfigurableApplicationContext milton;
    static ConfigurableApplicationContext secured;
    static final HttpClient http = HttpClient.newHttpClient();
    /** The headers a GET or HEAD of a file carries, other than Date. */
    static final List<String> FILE_HEADERS = List.of("etag", "last-modified", "content-type", "content-length",
            "accept-ranges", "cache-control", "x-content-type-options", "x-frame-options", "x-xss-protection",
            "referrer-policy", "strict-transport-security");

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("dav-fast-get-test");
        nodes = LocalNodes.start(dir, 1, java.time.Duration.ofSeconds(1)); // leases: through the cache
        fast = GatewayTestSupport.startGateway("gw-fast", nodes.addresses());
        milton = GatewayTestSupport.startGateway("gw-milton", nodes.addresses(),
                "--pohmelfs.gateway.webdav.fast-get=false");
        String hash = "{bcrypt}" + new BCryptPasswordEncoder().encode("s3cret");
        secured = GatewayTestSupport.startGateway("gw-sec", nodes.addresses(),
                "--pohmelfs.gateway.auth.enabled=true",
                "--pohmelfs.gateway.auth.users[0].name=alice",
                "--pohmelfs.gateway.auth.users[0].password=" + hash,
                "--pohmelfs.gateway.auth.users[1].name=bob",
                "--pohmelfs.gateway.auth.users[1].password=" + hash,
                "--pohmelfs.gateway.auth.users[1].read-only=true");
    }

    @AfterAll
    static void stop() {
        secured.close();
        milton.close();
        fast.close();
        nodes.close();
    }

    static HttpResponse<byte[]> send(ConfigurableApplicationContext gw, String method, String path, byte[] body,
                                     String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(gw) + path))
                .timeout(java.time.Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        return send(fast, "GET", path, null, headers);
    }

    static long answered(ConfigurableApplicationContext gw) {
        return gw.getBean("davWebFilter", DavWebFilter.class).fastAnswered();
    }

    static void put(String path, byte[] body) throws Exception {
        assertThat(send(fast, "PUT", path, body).statusCode()).isIn(201, 204);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static void assertSameAnswer(HttpResponse<byte[]> fastOne, HttpResponse<byte[]> miltonOne) {
        assertThat(fastOne.statusCode()).isEqualTo(miltonOne.statusCode());
        assertThat(fastOne.body()).isEqualTo(miltonOne.body());
        for (String h : FILE_HEADERS) {
            assertThat(fastOne.headers().allValues(h)).as(h).isEqualTo(miltonOne.headers().allValues(h));
        }
        assertThat(fastOne.headers().firstValue("date")).isPresent();
    }

    @Test
    void smallFilesAreAnsweredAsMiltonAnswersThem() throws Exception {
        byte[] random = new byte[DavFastGet.MAX_BYTES];
        ThreadLocalRandom.current().nextBytes(random);
        put("/dav/same.txt", ascii("hello world\n"));
        put("/dav/noext", random);
        put("/dav/empty.html", new byte[0]);
        for (String path : List.of("/dav/same.txt", "/dav/noext", "/dav/empty.html")) {
            for (String method : List.of("GET", "HEAD")) {
                long before = answered(fast);
                HttpResponse<byte[]> viaMilton = send(milton, method, path, null);
                HttpResponse<byte[]> viaFast = send(fast, method, path, null);
                assertThat(answered(fast)).as("%s %s answered by the fast path", method, path).isEqualTo(before + 1);
                assertThat(viaFast.statusCode()).isEqualTo(200);
                assertSameAnswer(viaFast, viaMilton);
            }
        }
        assertThat(get("/dav/noext").body()).isEqualTo(random);
        assertThat(answered(milton)).as("switched off").isZero();
    }

    static double cacheRequests(String kind, String result) {
        var counter = fast.getBean(io.micrometer.core.instrument.MeterRegistry.class)
                .find("pohmelfs.gateway.cache.requests").tags("kind", kind, "result", result).counter();
        return counter == null ? 0 : counter.count();
    }

    static double caffeineGets(String cache, String result) {
        var counter = fast.getBean(io.micrometer.core.instrument.MeterRegistry.class)
                .find("cache.gets").tags("cache", cache, "result", result).functionCounter();
        return counter == null ? 0 : counter.count();
    }

    /** Sets the file's mtime as Windows does (PROPPATCH of Win32LastModifiedTime). */
    static void touch(String path, String httpDate) throws Exception {
        String patch = "<?xml version=\"1.0\" encoding=\"utf-8\" ?><D:propertyupdate xmlns:D=\"DAV:\" "
                + "xmlns:Z=\"urn:schemas-microsoft-com:\"><D:set><D:prop>"
                + "<Z:Win32LastModifiedTime>" + httpDate + "</Z:Win32LastModifiedTime>"
                + "</D:prop></D:set></D:propertyupdate>";
        assertThat(send(fast, "PROPPATCH", path, ascii(patch), "Content-Type", "text/xml; charset=\"utf-8\"")
                .statusCode()).isEqualTo(207);
    }

    @Test
    void aHotGetCountsOneLookupPerCacheAndHitsThem() throws Exception {
        put("/dav/counted.txt", ascii("counted"));
        assertThat(get("/dav/counted.txt").statusCode()).isEqualTo(200); // fills the caches
        int hot = 0;
        for (int i = 0; i < 5; i++) {
            double attrHits = cacheRequests("attr", "hit");
            double attrAll = attrHits + cacheRequests("attr", "miss");
            double contentHits = cacheRequests("content", "hit");
            double contentAll = contentHits + cacheRequests("content", "miss");
            double blocks = caffeineGets("pohmelfs.content", "hit") + caffeineGets("pohmelfs.content", "miss");
            assertThat(get("/dav/counted.txt").body()).isEqualTo(ascii("counted"));
            // a lease may lapse on a loaded machine (then a miss and a load): each look-up is still counted once
            assertThat(cacheRequests("attr", "hit") + cacheRequests("attr", "miss")).isEqualTo(attrAll + 1);
            assertThat(cacheRequests("content", "hit") + cacheRequests("content", "miss")).isEqualTo(contentAll + 1);
            assertThat(caffeineGets("pohmelfs.content", "hit") + caffeineGets("pohmelfs.content", "miss"))
                    .isEqualTo(blocks + 1);
            if (cacheRequests("attr", "hit") == attrHits + 1 && cacheRequests("content", "hit") == contentHits + 1) {
                hot++;
            }
        }
        assertThat(hot).as("GETs answered from both caches").isPositive();
    }

    @Test
    void lastModifiedFollowsEveryChangeOfACachedFile() throws Exception {
        put("/dav/when.txt", ascii("when"));
        // 10:17:04 is 1024 s after 10:00:00: the same slot of the formatted dates' table
        for (String date : List.of("Tue, 03 Mar 2020 10:00:00 GMT", "Tue, 03 Mar 2020 10:17:04 GMT",
                "Tue, 03 Mar 2020 10:00:00 GMT", "Thu, 03 Jun 2021 12:34:56 GMT")) {
            touch("/dav/when.txt", date);
            long before = answered(fast);
            for (int i = 0; i < 2; i++) { // the first after the change may load, the second is hot
                HttpResponse<byte[]> got = get("/dav/when.txt");
                assertThat(got.headers().firstValue("last-modified")).as("GET %d after %s", i, date).hasValue(date);
                assertSameAnswer(got, send(milton, "GET", "/dav/when.txt", null));
                HttpResponse<byte[]> head = send(fast, "HEAD", "/dav/when.txt", null);
                assertThat(head.headers().firstValue("last-modified")).hasValue(date);
                assertThat(get("/dav/when.txt", "If-Modified-Since", date).statusCode()).isEqualTo(304);
            }
            assertThat(answered(fast)).isEqualTo(before + 6);
        }
    }

    @Test
    void conditionalRequestsGet304And412() throws Exception {
        put("/dav/cond.txt", ascii("v1"));
        HttpResponse<byte[]> plain = get("/dav/cond.txt");
        String etag = plain.headers().firstValue("etag").orElseThrow();
        String lastModified = plain.headers().firstValue("last-modified").orElseThrow();
        long before = answered(fast);

        HttpResponse<byte[]> notModified = get("/dav/cond.txt", "If-None-Match", etag);
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(notModified.headers().firstValue("etag")).hasValue(etag);
        assertThat(send(fast, "HEAD", "/dav/cond.txt", null, "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(get("/dav/cond.txt", "If-Modified-Since", lastModified).statusCode()).isEqualTo(304);
        assertThat(get("/dav/cond.txt", "If-None-Match", "\"f0\"").statusCode()).isEqualTo(200);
        assertThat(get("/dav/cond.txt", "If-Match", "\"f0\"").statusCode()).isEqualTo(412);
        assertThat(get("/dav/cond.txt", "If-Match", etag).body()).isEqualTo(ascii("v1"));
        assertThat(get("/dav/cond.txt", "If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:37 GMT").statusCode())
                .isEqualTo(412);
        assertThat(answered(fast)).isEqualTo(before + 7);

        put("/dav/cond.txt", ascii("v2"));
        HttpResponse<byte[]> changed = get("/dav/cond.txt", "If-None-Match", etag);
        assertThat(changed.statusCode()).as("a new version is not the cached one").isEqualTo(200);
        assertThat(changed.body()).isEqualTo(ascii("v2"));
        assertThat(changed.headers().firstValue("etag")).isNotEqualTo(etag);
    }

    @Test
    void rangesLargeFilesFoldersAndMissingPathsAreLeftToMilton() throws Exception {
        byte[] large = new byte[DavFastGet.MAX_BYTES + 1];
        ThreadLocalRandom.current().nextBytes(large);
        put("/dav/large.bin", large);
        put("/dav/range.txt", ascii("hello world\n"));
        assertThat(send(fast, "MKCOL", "/dav/folder/", null).statusCode()).isEqualTo(201);
        long before = answered(fast);

        HttpResponse<byte[]> range = get("/dav/range.txt", "Range", "bytes=2-4");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(ascii("llo"));
        assertThat(range.headers().firstValue("content-range")).hasValue("bytes 2-4/12");
        HttpResponse<byte[]> whole = get("/dav/large.bin");
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(large);
        assertSameAnswer(whole, send(milton, "GET", "/dav/large.bin", null));
        assertThat(get("/dav/missing.txt").statusCode()).isEqualTo(404);
        assertThat(send(fast, "HEAD", "/dav/missing.txt", null).statusCode()).isEqualTo(404);
        HttpResponse<byte[]> folder = get("/dav/folder/");
        assertThat(folder.statusCode()).isEqualTo(send(milton, "GET", "/dav/folder/", null).statusCode());
        assertThat(answered(fast)).as("all of these went to Milton").isEqualTo(before);
    }

    @Test
    void aLockedFileIsReadAndAnIfHeaderGoesToMilton() throws Exception {
        put("/dav/locked.txt", ascii("mine"));
        String lockinfo = """
                <?xml version="1.0" encoding="utf-8"?>
                <D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype>
                <D:owner><D:href>mailto:alice@example.org</D:href></D:owner></D:lockinfo>""";
        HttpResponse<byte[]> lock = send(fast, "LOCK", "/dav/locked.txt", ascii(lockinfo),
                "Content-Type", "application/xml", "Timeout", "Second-60");
        assertThat(lock.statusCode()).isEqualTo(200);
        String token = lock.headers().firstValue("lock-token").orElseThrow();
        Matcher m = Pattern.compile("<(.*)>").matcher(token);
        assertThat(m.matches()).isTrue();
        try {
            assertThat(send(fast, "PUT", "/dav/locked.txt", ascii("theirs")).statusCode())
                    .as("the lock holds").isEqualTo(423);
            long before = answered(fast);
            HttpResponse<byte[]> read = get("/dav/locked.txt");
            assertThat(read.statusCode()).as("a write lock does not stop reads").isEqualTo(200);
            assertThat(read.body()).isEqualTo(ascii("mine"));
            assertThat(answered(fast)).isEqualTo(before + 1);

            assertThat(get("/dav/locked.txt", "If", "(" + token + ")").body()).isEqualTo(ascii("mine"));
            assertThat(get("/dav/locked.txt", "If", "(<urn:uuid:00000000-0000-0000-0000-000000000000>)")
                    .statusCode()).as("a false If header: Milton's path, 412").isEqualTo(412);
            assertThat(answered(fast)).as("If headers go to Milton").isEqualTo(before + 1);
        } finally {
            assertThat(send(fast, "UNLOCK", "/dav/locked.txt", null, "Lock-Token", token).statusCode())
                    .isEqualTo(204);
        }
    }

    @Test
    void authenticationAndAuthorizationApplyToTheFastPath() throws Exception {
        String alice = "Basic " + Base64.getEncoder().encodeToString(ascii("alice:s3cret"));
        String bob = "Basic " + Base64.getEncoder().encodeToString(ascii("bob:s3cret"));
        String wrong = "Basic " + Base64.getEncoder().encodeToString(ascii("bob:nope"));
        assertThat(send(secured, "PUT", "/dav/secret.txt", ascii("s"), "Authorization", alice).statusCode())
                .isEqualTo(201);
        long before = answered(secured);
        HttpResponse<byte[]> anonymous = send(secured, "GET", "/dav/secret.txt", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> v.startsWith("Basic"));
        assertThat(send(secured, "HEAD", "/dav/secret.txt", null).statusCode()).isEqualTo(401);
        assertThat(send(secured, "GET", "/dav/secret.txt", null, "Authorization", wrong).statusCode()).isEqualTo(401);
        assertThat(answered(secured)).as("refused before the fast path").isEqualTo(before);
        HttpResponse<byte[]> reader = send(secured, "GET", "/dav/secret.txt", null, "Authorization", bob);
        assertThat(reader.statusCode()).isEqualTo(200);
        assertThat(reader.body()).isEqualTo(ascii("s"));
        assertThat(answered(secured)).isEqualTo(before + 1);
    }
}
