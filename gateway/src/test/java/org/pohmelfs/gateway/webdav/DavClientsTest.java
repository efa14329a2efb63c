package org.pohmelfs.gateway.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Real WebDAV clients (davfs2, cadaver, rclone — the Debian packages) against two gateways over one
 * node. What one client writes through gateway 1 is read back, byte for byte, through gateway 1's
 * REST API and gateway 2's WebDAV. See {@link ClientTools} for when a missing client fails.
 */
class DavClientsTest {
    static Path dir;
    static LocalNodes nodes;
    static ConfigurableApplicationContext gw1;
    static ConfigurableApplicationContext gw2;
    static String base1;
    static String base2;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("dav-clients-test");
        // Through the coherent cache, as deployed; the lock table's O(leases²) invariant check
        // is off: this test caches thousands of paths.
        nodes = LocalNodes.start(dir, 1, Duration.ofSeconds(2), false);
        gw1 = GatewayTestSupport.startGateway("gw1", nodes.addresses());
        gw2 = GatewayTestSupport.startGateway("gw2", nodes.addresses());
        base1 = GatewayTestSupport.baseUrl(gw1);
        base2 = GatewayTestSupport.baseUrl(gw2);
    }

    @AfterAll
    static void stop() {
        if (gw2 != null) {
            gw2.close();
        }
        if (gw1 != null) {
            gw1.close();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    // ---- davfs2 ----

    @Test
    void davfs2CopiesATreeOfThousandsOfFiles() throws Exception {
        Path mountDavfs = ClientTools.require("mount.davfs");
        assertThat(ClientTools.isRoot()).as("mount -t davfs needs root (CI runs as root)").isTrue();
        assertThat(mountDavfs).isNotNull();
        Path work = Files.createTempDirectory(dir, "davfs");
        Path source = work.resolve("source");
        List<Path> files = makeTree(source, 2000, 7);
        mkcol("/dav/davfs/");

        Path mnt = Files.createDirectories(work.resolve("mnt"));
        Path cache = Files.createDirectories(work.resolve("cache"));
        // mount.davfs drops to the davfs2 user, which must reach and write its cache directory.
        for (Path p : List.of(dir, work)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path secrets = work.resolve("secrets");
        String url = base1 + "/dav/davfs/";
        Files.writeString(secrets, url + " nobody nothing\n");
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
        Path conf = work.resolve("davfs2.conf");
        // buf_size 64: davfs2 1.6.1 fails every listing on Linux 6.16+ otherwise (shared/notes).
        // use_locks 0: the gateway is class 1 until LOCK/UNLOCK lands.
        Files.writeString(conf, "buf_size 64\nuse_locks 0\ncache_dir " + cache + "\nsecrets " + secrets + "\n");

        ClientTools.Result mount = ClientTools.run(work, Map.of(), "\n\n", 2,
                "mount", "-t", "davfs", "-o", "conf=" + conf, url, mnt.toString());
        assertThat(mount.exit()).as("mount: %s", mount.output()).isZero();
        try {
            ClientTools.Result cp = ClientTools.run(work, Map.of(), "", 10,
                    "cp", "-r", source + "/.", mnt.toString());
            assertThat(cp.exit()).as("cp: %s", cp.output()).isZero();
            ClientTools.Result ls = ClientTools.run(work, Map.of(), "", 5, "ls", "-lR", mnt.toString());
            assertThat(ls.exit()).as("ls: %s", ls.output()).isZero();
            for (Path f : files.subList(0, 20)) {
                assertThat(ls.output()).contains(f.getFileName().toString());
            }
            // davfs2 shows a local lost+found of its own (its cache of files it could not upload).
            ClientTools.Result diff = ClientTools.run(work, Map.of(), "", 10,
                    "diff", "-r", "-x", "lost+found", source.toString(), mnt.toString());
            assertThat(diff.exit()).as("diff -r: %s", diff.output()).isZero();
        } finally {
            ClientTools.Result umount = ClientTools.run(work, Map.of(), "", 15, "umount", mnt.toString());
            assertThat(umount.exit()).as("umount: %s", umount.output()).isZero();
        }
        // Uploads happen at close/umount; after umount every byte is on the node.
        for (Path f : files) {
            String rel = "davfs/" + source.relativize(f).toString();
            byte[] expected = Files.readAllBytes(f);
            assertThat(get(base1 + "/api/v1/files/" + encode(rel))).as("REST %s", rel).isEqualTo(expected);
            assertThat(get(base2 + "/dav/" + encode(rel))).as("gateway 2 %s", rel).isEqualTo(expected);
        }
    }

    // ---- cadaver ----

    @Test
    void cadaverScriptedSession() throws Exception {
        Path cadaver = ClientTools.require("cadaver");
        Path work = Files.createTempDirectory(dir, "cadaver");
        byte[] content = randomBytes(new Random(3), 100_000);
        Files.write(work.resolve("local.bin"), content);
        String script = String.join("\n",
                "mkcol cad",
                "cd cad",
                "put local.bin one.bin",
                "get one.bin back.bin",
                "copy one.bin two.bin",
                "move two.bin three.bin",
                "propset one.bin colour blue",
                "propget one.bin colour",
                "ls",
                "put local.bin gone.bin",
                "delete gone.bin",
                "ls",
                "quit", "");
        ClientTools.Result r = ClientTools.run(work, Map.of("HOME", work.toString()), script, 2,
                cadaver.toString(), base1 + "/dav/");
        String out = r.output();
        assertThat(r.exit()).as(out).isZero();
        assertThat(out).as(out).doesNotContain("failed").contains("Value of colour is: blue");
        assertThat(out.split("succeeded", -1)).as(out).hasSize(11);
        assertThat(Files.readAllBytes(work.resolve("back.bin"))).isEqualTo(content);
        assertThat(get(base2 + "/dav/cad/one.bin")).isEqualTo(content);
        assertThat(get(base2 + "/dav/cad/three.bin")).isEqualTo(content);
        assertThat(status(base2 + "/dav/cad/two.bin")).isEqualTo(404);
        assertThat(status(base2 + "/dav/cad/gone.bin")).isEqualTo(404);
        String lastLs = out.substring(out.lastIndexOf("Listing collection"));
        assertThat(lastLs).contains("one.bin", "three.bin").doesNotContain("gone.bin", "two.bin");
    }

    // ---- rclone ----

    @Test
    void rcloneCopyCheckAndSync() throws Exception {
        Path rclone = ClientTools.require("rclone");
        Path work = Files.createTempDirectory(dir, "rclone");
        Path source = work.resolve("source");
        List<Path> files = makeTree(source, 300, 11);
        Path config = Files.writeString(work.resolve("rclone.conf"), "");
        Map<String, String> env = Map.of(
                "RCLONE_CONFIG", config.toString(),
                "RCLONE_CONFIG_POH_TYPE", "webdav",
                "RCLONE_CONFIG_POH_URL", base1 + "/dav/",
                "RCLONE_CONFIG_POH_VENDOR", "other",
                "HOME", work.toString());

        ClientTools.Result copy = ClientTools.run(work, env, "", 5,
                rclone.toString(), "copy", source.toString(), "poh:rc", "--transfers", "4");
        assertThat(copy.exit()).as(copy.output()).isZero();
        ClientTools.Result check = ClientTools.run(work, env, "", 5,
                rclone.toString(), "check", source.toString(), "poh:rc");
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("0 differences found");
        // The same tree through the other gateway, with --download: compare every byte.
        env = new java.util.HashMap<>(env);
        env.put("RCLONE_CONFIG_POH2_TYPE", "webdav");
        env.put("RCLONE_CONFIG_POH2_URL", base2 + "/dav/");
        env.put("RCLONE_CONFIG_POH2_VENDOR", "other");
        ClientTools.Result download = ClientTools.run(work, env, "", 5,
                rclone.toString(), "check", "--download", source.toString(), "poh2:rc");
        assertThat(download.exit()).as(download.output()).isZero();

        // A modification: one file changed, one deleted, one added; sync makes the remote follow.
        Files.write(files.get(0), randomBytes(new Random(5), 12345));
        Files.delete(files.get(1));
        Path added = Files.write(source.resolve("added after sync ✓.txt"), "new".getBytes(StandardCharsets.UTF_8));
        ClientTools.Result sync = ClientTools.run(work, env, "", 5,
                rclone.toString(), "sync", source.toString(), "poh:rc");
        assertThat(sync.exit()).as(sync.output()).isZero();
        ClientTools.Result again = ClientTools.run(work, env, "", 5,
                rclone.toString(), "check", "--download", source.toString(), "poh2:rc");
        assertThat(again.exit()).as(again.output()).isZero();
        assertThat(get(base2 + "/dav/rc/" + encode(source.relativize(added).toString()))).isEqualTo(
                "new".getBytes(StandardCharsets.UTF_8));
        assertThat(status(base2 + "/dav/rc/" + encode(source.relativize(files.get(1)).toString()))).isEqualTo(404);
    }

    // ---- helpers ----

    static final String[] NAMES = {"plain", "with space", "café ☕", "Ünïcødé", "日本語", "dash-and_under", "ελληνικά"};

    /** A seeded tree: nested dirs, names with spaces and Unicode (NFC), sizes 0 B to 1 MiB. */
    static List<Path> makeTree(Path root, int count, long seed) throws IOException {
        Random random = new Random(seed);
        List<Path> dirs = new ArrayList<>(List.of(root));
        Files.createDirectories(root);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (i % 40 == 0) {
                Path parent = dirs.get(random.nextInt(dirs.size()));
                Path d = Files.createDirectories(parent.resolve("dir " + NAMES[random.nextInt(NAMES.length)] + " " + i));
                dirs.add(d);
            }
            Path parent = dirs.get(random.nextInt(dirs.size()));
            int size = i % 250 == 7 ? 1 << 20 : i % 25 == 3 ? 64 * 1024 + random.nextInt(1000)
                    : i % 50 == 1 ? 0 : random.nextInt(4096);
            Path f = parent.resolve(NAMES[random.nextInt(NAMES.length)] + " " + i + ".dat");
            Files.write(f, randomBytes(random, size));
            files.add(f);
        }
        return files;
    }

    static byte[] randomBytes(Random random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    static String encode(String relative) {
        return Stream.of(relative.split("/"))
                .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
    }

    static void mkcol(String path) throws Exception {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base1 + path))
                .method("MKCOL", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(r.statusCode()).isEqualTo(201);
    }

    static byte[] get(String url) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as("GET %s", url).isEqualTo(200);
        return r.body();
    }

    static int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
