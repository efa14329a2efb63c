package org.pohmelfs.gateway.https;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.pohmelfs.testing.TestPki;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * Real gateways on HTTPS from PEM files made by a throw-away CA: the JDK client and curl trusting
 * that CA, WebDAV over HTTPS as Windows' client starts it, a certificate replaced on disk served to
 * the next connection without a restart, and the plain listener redirecting (308) or refusing.
 */
class HttpsGatewayTest {
    static Path dir;
    static TestPki pki;
    static Path served;
    static Path secretVolume;
    static int projections;
    static LocalNodes nodes;
    static ConfigurableApplicationContext redirecting;
    static ConfigurableApplicationContext refusing;
    static HttpClient https;
    static final HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static final String BASIC = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes());

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("https-test");
        pki = new TestPki(dir.resolve("pki"), "test CA");
        served = Files.createDirectories(dir.resolve("served"));
        install(pki.issue("gw-first"));
        nodes = LocalNodes.start(dir.resolve("nodes"), 1);
        String hash = "{bcrypt}" + new BCryptPasswordEncoder(4).encode("s3cret");
        redirecting = GatewayTestSupport.startGateway("gw-https", nodes.addresses(),
                "--pohmelfs.gateway.https.certificate=" + served.resolve("cert.pem"),
                "--pohmelfs.gateway.https.private-key=" + served.resolve("key.pem"),
                "--pohmelfs.gateway.https.plain-port=0",
                "--spring.ssl.bundle.watch.file.quiet-period=200ms",
                "--pohmelfs.gateway.auth.enabled=true",
                "--pohmelfs.gateway.auth.users[0].name=alice",
                "--pohmelfs.gateway.auth.users[0].password=" + hash,
                "--pohmelfs.gateway.auth.users[1].name=root",
                "--pohmelfs.gateway.auth.users[1].password=" + hash,
                "--pohmelfs.gateway.auth.users[1].admin=true");
        secretVolume = Files.createDirectories(dir.resolve("secret-volume"));
        project(pki.issue("gw-refusing"));
        refusing = GatewayTestSupport.startGateway("gw-refusing", nodes.addresses(),
                "--pohmelfs.gateway.https.certificate=" + secretVolume.resolve("tls.crt"),
                "--pohmelfs.gateway.https.private-key=" + secretVolume.resolve("tls.key"),
                "--spring.ssl.bundle.watch.file.quiet-period=200ms",
                "--pohmelfs.gateway.https.plain-port=0",
                "--pohmelfs.gateway.https.plain-http=refuse",
                "--pohmelfs.gateway.https.plain-actuator=false");
        https = HttpClient.newBuilder().sslContext(trusting(pki.ca())).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {redirecting, refusing, nodes}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    /** Writes a leaf's files over the served ones, each by an atomic move (as an ACME client or Kubernetes does). */
    static void install(TestPki.Leaf leaf) throws IOException {
        for (Path[] p : new Path[][] {{leaf.privateKey(), served.resolve("key.pem")}, {leaf.certificate(), served.resolve("cert.pem")}}) {
            Path tmp = served.resolve(".incoming");
            Files.copy(p[0], tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, p[1], StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * Writes a leaf into {@link #secretVolume} as the kubelet updates a Secret volume: the files in a
     * new hidden folder, {@code ..data} switched to it by renaming a new symlink over it, the old
     * folder removed; {@code tls.crt} and {@code tls.key} are symlinks into {@code ..data} that never change.
     */
    static void project(TestPki.Leaf leaf) throws IOException {
        Path version = Files.createDirectory(secretVolume.resolve("..version-" + (++projections)));
        Files.copy(leaf.certificate(), version.resolve("tls.crt"));
        Files.copy(leaf.privateKey(), version.resolve("tls.key"));
        Path data = secretVolume.resolve("..data");
        Path old = Files.isSymbolicLink(data) ? secretVolume.resolve(Files.readSymbolicLink(data)) : null;
        Path tmp = Files.createSymbolicLink(secretVolume.resolve("..data_tmp"), version.getFileName());
        Files.move(tmp, data, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        for (String name : List.of("tls.crt", "tls.key")) {
            if (!Files.exists(secretVolume.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(secretVolume.resolve(name), Path.of("..data", name));
            }
        }
        if (old != null) {
            org.springframework.util.FileSystemUtils.deleteRecursively(old);
        }
    }

    static SSLContext trusting(Path caPem) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = new FileInputStream(caPem.toFile())) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    static int port(ConfigurableApplicationContext gw) {
        return ((WebServerApplicationContext) gw).getWebServer().getPort();
    }

    /** The admin command line reaches a gateway on HTTPS when told the CA (--cacert), and not without it. */
    @Test
    void theAdminToolTrustsTheCaItIsGiven() {
        String url = httpsUrl(redirecting, "").replaceAll("/+$", "");
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int trusted = org.pohmelfs.gateway.admin.cli.AdminTool.run(new String[] {"--url", url, "--cacert",
                pki.ca().toString(), "--user", "root", "--password", "s3cret", "map"}, java.util.Map.of(),
                new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
        assertThat(trusted).as(err.toString()).isZero();
        assertThat(out.toString()).contains("epoch");
        err.reset();
        int untrusted = org.pohmelfs.gateway.admin.cli.AdminTool.run(new String[] {"--url", url, "--user", "root",
                "--password", "s3cret", "map"}, java.util.Map.of(), new java.io.PrintStream(out, true),
                new java.io.PrintStream(err, true));
        assertThat(untrusted).isEqualTo(1);
        assertThat(err.toString()).contains("cannot reach");
    }

    /**
     * Waits (up to 60 s, Awaitility) until {@code condition} holds; on time-out returns anyway, so
     * that the caller's assertions say what was found instead.
     */
    static void eventually(java.util.concurrent.Callable<Boolean> condition) {
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the assertions after the wait report what is served
        }
    }

    /** The certificate served on a new connection once it has {@code serial} (or the last one seen after 60 s). */
    static X509Certificate servedOnceRenewed(int port, BigInteger serial) {
        var last = new java.util.concurrent.atomic.AtomicReference<X509Certificate>();
        eventually(() -> {
            last.set(servedCertificate(port));
            return last.get().getSerialNumber().equals(serial);
        });
        return last.get();
    }

    static String httpsUrl(ConfigurableApplicationContext gw, String path) {
        return "https://localhost:" + port(gw) + path;
    }

    static String plainUrl(ConfigurableApplicationContext gw, String path) {
        return "http://127.0.0.1:" + gw.getBean(PlainHttpListener.class).port() + path;
    }

    static X509Certificate servedCertificate(int port) throws Exception {
        try (SSLSocket socket = (SSLSocket) trusting(pki.ca()).getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static HttpResponse<String> send(HttpClient client, String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", BASIC)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60", "-o", "-", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void theJdkClientTrustingTheCaWritesAndReadsOverHttps() throws Exception {
        assertThat(send(https, "PUT", httpsUrl(redirecting, "/api/v1/files/jdk.txt"), "over tls").statusCode()).isEqualTo(201);
        HttpResponse<String> got = send(https, "GET", httpsUrl(redirecting, "/api/v1/files/jdk.txt"), null);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo("over tls");
        assertThat(got.sslSession()).isPresent();
        assertThat(got.headers().firstValue("Strict-Transport-Security")).as("HSTS over HTTPS")
                .hasValueSatisfying(v -> assertThat(v).contains("max-age="));
        HttpRequest anonymous = HttpRequest.newBuilder(URI.create(httpsUrl(redirecting, "/dav/"))).GET().build();
        assertThat(https.send(anonymous, HttpResponse.BodyHandlers.discarding()).headers().firstValue("WWW-Authenticate"))
                .as("Basic is offered over HTTPS").hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
    }

    @Test
    void curlWithTheCaPutsAndGetsOverHttps() throws Exception {
        Path file = Files.writeString(dir.resolve("curl-upload.txt"), "from curl over https\n");
        String ca = pki.ca().toString();
        assertThat(curl("--cacert", ca, "-u", "alice:s3cret", "-T", file.toString(), httpsUrl(redirecting, "/dav/curl.txt")))
                .endsWith("201");
        assertThat(curl("--cacert", ca, "-u", "alice:s3cret", httpsUrl(redirecting, "/api/v1/files/curl.txt")))
                .isEqualTo("from curl over https\n\n200");
        assertThat(curl("--cacert", dir.resolve("served/no-such-ca.pem").toString(), "-u", "alice:s3cret",
                httpsUrl(redirecting, "/dav/"))).as("curl without the CA").doesNotEndWith("200");
        assertThat(curl("-u", "alice:s3cret", httpsUrl(redirecting, "/dav/")))
                .as("the system trust store does not know the test CA").contains("certificate").endsWith("000");
    }

    @Test
    void webDavOverHttpsAnswersWhatWindowsAsksFirst() throws Exception {
        // The mini-redirector (net use Z: https://host:port/dav) sends OPTIONS, then PROPFIND Depth 0 and 1.
        // Windows (and Office) first ask the server's root, which must name DAV.
        HttpResponse<String> root = send(https, "OPTIONS", httpsUrl(redirecting, "/"), null);
        assertThat(root.statusCode()).isEqualTo(200);
        assertThat(root.headers().firstValue("MS-Author-Via")).hasValue("DAV");
        assertThat(root.headers().firstValue("DAV")).hasValue("1, 2");
        HttpRequest anonymousRoot = HttpRequest.newBuilder(URI.create(httpsUrl(redirecting, "/")))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build();
        assertThat(https.send(anonymousRoot, HttpResponse.BodyHandlers.discarding()).statusCode())
                .as("asks for Basic credentials, which Windows sends over HTTPS").isEqualTo(401);
        HttpResponse<String> options = send(https, "OPTIONS", httpsUrl(redirecting, "/dav"), null);
        assertThat(options.statusCode()).isEqualTo(200);
        assertThat(options.headers().firstValue("DAV")).hasValueSatisfying(v -> assertThat(v).contains("1").contains("2"));
        assertThat(options.headers().firstValue("MS-Author-Via")).hasValue("DAV");
        HttpRequest propfind = HttpRequest.newBuilder(URI.create(httpsUrl(redirecting, "/dav/")))
                .header("Authorization", BASIC).header("Depth", "1")
                .method("PROPFIND", HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> listing = https.send(propfind, HttpResponse.BodyHandlers.ofString());
        assertThat(listing.statusCode()).isEqualTo(207);
        assertThat(listing.body()).contains("/dav/");
    }

    @Test
    void aCertificateReplacedOnDiskIsServedToTheNextConnectionWithoutARestart() throws Exception {
        int port = port(redirecting);
        X509Certificate before = servedCertificate(port);
        assertThat(before.getSubjectX500Principal().getName()).startsWith("CN=gw-");

        TestPki.Leaf renewed = pki.issue("gw-renewed");
        BigInteger serial = read(renewed.certificate()).getSerialNumber();
        install(renewed);

        X509Certificate now = servedOnceRenewed(port, serial);
        assertThat(before.getSubjectX500Principal().getName()).isNotEqualTo("CN=gw-renewed");
        assertThat(now.getSubjectX500Principal().getName()).isEqualTo("CN=gw-renewed");
        assertThat(now.getSerialNumber()).isEqualTo(serial);
        assertThat(send(https, "GET", httpsUrl(redirecting, "/api/v1/files/"), null).statusCode())
                .as("a new client connection with the renewed certificate").isEqualTo(200);
    }

    @Test
    void aKubernetesSecretVolumeUpdateIsServedWithoutARestart() throws Exception {
        int port = port(refusing);
        assertThat(servedCertificate(port).getSubjectX500Principal().getName()).isEqualTo("CN=gw-refusing");
        for (String cn : List.of("gw-secret-2", "gw-secret-3")) { // more than once: Spring Boot once reloaded only the first
            TestPki.Leaf next = pki.issue(cn);
            BigInteger serial = read(next.certificate()).getSerialNumber();
            project(next);
            BigInteger now = servedOnceRenewed(port, serial).getSerialNumber();
            assertThat(now).as(cn).isEqualTo(serial);
        }
    }

    @Test
    void aNewCertificateWithTheWrongKeyIsRefusedAndTheOldOneKeepsServing() throws Exception {
        int port = port(redirecting);
        BigInteger before = servedCertificate(port).getSerialNumber();
        ListAppender<ILoggingEvent> watcherLog = new ListAppender<>();
        Logger watcher = (Logger) LoggerFactory.getLogger("org.springframework.boot.autoconfigure.ssl.FileWatcher");
        watcherLog.start();
        watcher.addAppender(watcherLog);
        try {
            TestPki.Leaf renewed = pki.issue("gw-mismatched");
            TestPki.Leaf stranger = pki.issue("gw-stranger");
            install(new TestPki.Leaf(renewed.certificate(), stranger.privateKey(), pki.ca()));
            eventually(() -> watcherLog.list.stream().anyMatch(e -> e.getFormattedMessage().contains("SSL reload error")));
            assertThat(watcherLog.list).extracting(ILoggingEvent::getFormattedMessage)
                    .as("the watcher tried the new pair and refused it").anyMatch(m -> m.contains("SSL reload error"));
            assertThat(servedCertificate(port).getSerialNumber()).as("the old pair still serves").isEqualTo(before);
            assertThat(send(https, "GET", httpsUrl(redirecting, "/api/v1/files/"), null).statusCode()).isEqualTo(200);

            install(renewed);
            BigInteger serial = read(renewed.certificate()).getSerialNumber();
            BigInteger now = servedOnceRenewed(port, serial).getSerialNumber();
            assertThat(now).as("the watcher still works after a refused pair").isEqualTo(serial);
        } finally {
            watcher.detachAppender(watcherLog);
        }
    }

    /** davfs2 (the Debian package) mounts the gateway over HTTPS, trusting the CA by {@code trust_ca_cert}. */
    @Test
    void davfs2MountsOverHttpsTrustingTheCa() throws Exception {
        Path mountDavfs = Path.of("/usr/sbin/mount.davfs");
        boolean required = "1".equals(System.getenv("POHMELFS_REQUIRE_CLIENTS"));
        if (!Files.isExecutable(mountDavfs) || !"root".equals(System.getProperty("user.name"))) {
            assertThat(required).as("davfs2 missing or not root, and POHMELFS_REQUIRE_CLIENTS=1").isFalse();
            org.junit.jupiter.api.Assumptions.abort("davfs2 over HTTPS needs mount.davfs and root; skipped");
        }
        Path work = Files.createDirectories(dir.resolve("davfs"));
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        Path cache = Files.createDirectories(work.resolve("cache"));
        // mount.davfs drops to the davfs2 user, which must reach its cache and the CA file.
        for (Path p : List.of(dir, work, pki.ca().getParent())) {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(cache, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(send(https, "MKCOL", httpsUrl(redirecting, "/dav/davfs/"), null).statusCode()).isEqualTo(201);
        String url = httpsUrl(redirecting, "/dav/davfs/");
        Path secrets = work.resolve("secrets");
        Files.writeString(secrets, url + " alice s3cret\n");
        Files.setPosixFilePermissions(secrets, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path conf = work.resolve("davfs2.conf");
        Files.writeString(conf, "buf_size 64\nuse_locks 0\ncache_dir " + cache + "\nsecrets " + secrets
                + "\ntrust_ca_cert " + pki.ca() + "\n");
        String mount = run(work, "mount", "-t", "davfs", "-o", "conf=" + conf, url, mnt.toString());
        assertThat(mount).as("mount").startsWith("0:");
        try {
            Files.writeString(mnt.resolve("hello.txt"), "through davfs2 over https\n");
            assertThat(run(work, "ls", "-l", mnt.toString())).startsWith("0:").contains("hello.txt");
        } finally {
            assertThat(run(work, "umount", mnt.toString())).as("umount").startsWith("0:");
        }
        // davfs2 uploads at close or umount; after umount the file is on the node.
        assertThat(send(https, "GET", httpsUrl(redirecting, "/api/v1/files/davfs/hello.txt"), null).body())
                .isEqualTo("through davfs2 over https\n");
    }

    /** Runs a command to its end (2 minutes at most): "EXIT:" and its merged output. */
    static String run(Path workDir, String... command) throws Exception {
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish: " + Files.readString(out));
        }
        return p.exitValue() + ":" + Files.readString(out);
    }

    @Test
    void thePlainPortRedirectsWith308KeepingPathAndQuery() throws Exception {
        for (String method : List.of("GET", "PUT", "PROPFIND", "DELETE")) {
            HttpResponse<String> r = send(plain, method, plainUrl(redirecting, "/dav/a%20b.txt?x=1"), "body");
            assertThat(r.statusCode()).as(method).isEqualTo(308);
            assertThat(r.headers().firstValue("Location")).as(method)
                    .hasValue("https://127.0.0.1:" + port(redirecting) + "/dav/a%20b.txt?x=1");
        }
    }

    @Test
    void curlFollowsTheRedirectWithItsPutBody() throws Exception {
        Path file = Files.writeString(dir.resolve("redirected.txt"), "sent to the plain port\n");
        assertThat(curl("--cacert", pki.ca().toString(), "-u", "alice:s3cret", "--location-trusted", "-T", file.toString(),
                "http://localhost:" + redirecting.getBean(PlainHttpListener.class).port() + "/dav/redirected.txt"))
                .endsWith("201");
        HttpResponse<String> got = send(https, "GET", httpsUrl(redirecting, "/dav/redirected.txt"), null);
        assertThat(got.body()).isEqualTo("sent to the plain port\n");
    }

    @Test
    void probesAndScrapesStillWorkOnThePlainPort() throws Exception {
        HttpResponse<String> health = send(plain, "GET", plainUrl(redirecting, "/actuator/health/liveness"), null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("UP");
        assertThat(health.headers().firstValue("Strict-Transport-Security")).as("no HSTS over plain HTTP").isEmpty();
        HttpResponse<String> metrics = send(plain, "GET", plainUrl(redirecting, "/actuator/prometheus"), null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_");
        assertThat(send(plain, "GET", plainUrl(redirecting, "/actuator/../api/v1/files/"), null).statusCode())
                .as("no path trick through the actuator door").isEqualTo(308);
    }

    @Test
    void refuseModeRefusesEverythingOnThePlainPortNamingTheHttpsUrl() throws Exception {
        for (String path : List.of("/dav/", "/api/v1/files/x", "/actuator/health")) {
            HttpResponse<String> r = send(plain, "PUT", plainUrl(refusing, path), "body");
            assertThat(r.statusCode()).as(path).isEqualTo(403);
            assertThat(r.body()).as(path).contains("HTTPS only").contains("https://127.0.0.1:" + port(refusing) + path);
        }
        HttpResponse<String> head = send(plain, "HEAD", plainUrl(refusing, "/dav/"), null);
        assertThat(head.statusCode()).isEqualTo(403);
        assertThat(send(https, "GET", httpsUrl(refusing, "/actuator/health"), null).statusCode())
                .as("served over HTTPS").isEqualTo(200);
    }

    @Test
    void theHttpsPortDoesNotAnswerPlainHttp() throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(redirecting) + "/actuator/health"))
                .timeout(Duration.ofSeconds(30)).GET().build();
        int status;
        try {
            status = plain.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            status = -1;
        }
        assertThat(status).isNotEqualTo(200);
    }
}
