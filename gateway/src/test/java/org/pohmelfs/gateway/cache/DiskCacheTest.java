package org.pohmelfs.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The disk tier through a real in-JVM gateway against a real leasing node on loopback: blocks of
 * files above the memory tier's {@code max-file-size} are kept on disk, so a hot GET of such a
 * file sends no READ to the node (its own per-command counters prove it) and returns the same
 * bytes; a new version is read fresh; a damaged block file is found and the node's bytes served;
 * the byte bound holds; a folder that cannot be used leaves reads intact.
 */
class DiskCacheTest {
    static final int MIB = 1024 * 1024;
    static final Duration WAIT = Duration.ofSeconds(10);
    static Path root;
    static LocalNodes nodes;
    static ConfigurableApplicationContext gw;
    static Path cacheDir;
    /** A disk tier of 3 MiB. */
    static ConfigurableApplicationContext small;
    static Path smallDir;
    static final long SMALL_MAX = 3 * MIB;
    /** A disk tier whose folder is broken by a test. */
    static ConfigurableApplicationContext failing;
    static Path failingDir;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        root = Files.createTempDirectory("disktier-cache");
        nodes = LocalNodes.start(root.resolve("nodes"), 1, Duration.ofSeconds(2));
        cacheDir = root.resolve("gw-cache");
        gw = GatewayTestSupport.startGateway("gw-disk", nodes.addresses(),
                "--pohmelfs.gateway.cache.max-file-size=1MB",
                "--pohmelfs.gateway.cache.disk.dir=" + cacheDir,
                "--pohmelfs.gateway.cache.disk.max-bytes=64MB");
        // Started here and closed together: closing one gateway's context while another serves
        // disposes the shared Reactor Netty event loops under the other.
        smallDir = root.resolve("small-cache");
        small = GatewayTestSupport.startGateway("gw-small", nodes.addresses(),
                "--pohmelfs.gateway.cache.max-file-size=1MB",
                "--pohmelfs.gateway.cache.disk.dir=" + smallDir,
                "--pohmelfs.gateway.cache.disk.max-bytes=" + SMALL_MAX + "B");
        failingDir = root.resolve("failing-cache");
        failing = GatewayTestSupport.startGateway("gw-failing", nodes.addresses(),
                "--pohmelfs.gateway.cache.max-file-size=1MB",
                "--pohmelfs.gateway.cache.disk.dir=" + failingDir);
    }

    @AfterAll
    static void stop() throws IOException {
        for (ConfigurableApplicationContext c : new ConfigurableApplicationContext[]{gw, small, failing}) {
            if (c != null) {
                c.close();
            }
        }
        nodes.close();
        try (Stream<Path> all = Files.walk(root)) { // tens of MiB of node files and block files
            all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Test
    void aHotLargeFileIsServedFromDiskWithoutAReadToTheNode() throws Exception {
        byte[] content = random(8 * MIB, 1);
        put(gw, "/big/eight.bin", content);
        DiskTier tier = gw.getBean(DiskTier.class);
        long servedBefore = tier.servedBytes();

        assertThat(get(gw, "/big/eight.bin")).isEqualTo(content);
        awaitWritten(tier, "/big/eight.bin", 8);

        long reads = nodes.get(0).requests("read");
        assertThat(get(gw, "/big/eight.bin")).isEqualTo(content);
        assertThat(nodes.get(0).requests("read")).as("READs sent to the node by the hot GET").isEqualTo(reads);
        assertThat(tier.servedBytes() - servedBefore).isGreaterThanOrEqualTo(content.length);
        assertThat(get(gw, "/big/eight.bin", "Range", "bytes=3000000-5000000"))
                .isEqualTo(java.util.Arrays.copyOfRange(content, 3_000_000, 5_000_001));
        assertThat(nodes.get(0).requests("read")).isEqualTo(reads);
    }

    @Test
    void aNewVersionIsReadFresh() throws Exception {
        byte[] first = random(3 * MIB, 2);
        byte[] second = random(3 * MIB, 3);
        put(gw, "/big/changes.bin", first);
        assertThat(get(gw, "/big/changes.bin")).isEqualTo(first);
        awaitWritten(gw.getBean(DiskTier.class), "/big/changes.bin", 3);
        assertThat(get(gw, "/big/changes.bin")).isEqualTo(first);

        put(gw, "/big/changes.bin", second); // same size, new version
        long reads = nodes.get(0).requests("read");
        assertThat(get(gw, "/big/changes.bin")).isEqualTo(second);
        assertThat(nodes.get(0).requests("read")).as("the new version comes from the node").isGreaterThan(reads);
        assertThat(get(gw, "/big/changes.bin")).isEqualTo(second);
    }

    @Test
    void aDamagedBlockFileIsDetectedAndTheNodesBytesServed() throws Exception {
        byte[] content = random(2 * MIB + 5, 4);
        put(gw, "/big/damaged.bin", content);
        assertThat(get(gw, "/big/damaged.bin")).isEqualTo(content);
        DiskTier tier = gw.getBean(DiskTier.class);
        awaitWritten(tier, "/big/damaged.bin", 3);
        List<Path> files = filesOf(cacheDir, "/big/damaged.bin");
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            bytes[bytes.length - 1] ^= 1;
            Files.write(f, bytes);
        }
        long damaged = tier.damaged();
        long reads = nodes.get(0).requests("read");

        assertThat(get(gw, "/big/damaged.bin")).isEqualTo(content);
        assertThat(tier.damaged() - damaged).isEqualTo(files.size());
        assertThat(nodes.get(0).requests("read")).isGreaterThan(reads);
        awaitWritten(tier, "/big/damaged.bin", 3); // kept again, sound
        assertThat(get(gw, "/big/damaged.bin")).isEqualTo(content);
    }

    @Test
    void theTierKeepsItsByteBoundAndReadsStayRight() throws Exception {
        byte[] content = random(8 * MIB, 5);
        put(small, "/big/bounded.bin", content);
        DiskTier tier = small.getBean(DiskTier.class);
        for (int round = 0; round < 2; round++) {
            assertThat(get(small, "/big/bounded.bin")).as("round %d", round).isEqualTo(content);
            await().atMost(WAIT).until(() -> tier.pendingBytes() == 0);
            assertThat(bytesIn(smallDir)).as("round %d", round).isLessThanOrEqualTo(SMALL_MAX + MIB + 100);
            assertThat(tier.weightedSize()).isLessThanOrEqualTo(SMALL_MAX);
        }
        assertThat(tier.written()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aFolderThatCannotBeWrittenLeavesReadsIntact() throws Exception {
        DiskTier tier = failing.getBean(DiskTier.class);
        assertThat(tier.enabled()).isTrue();
        // As root, permissions would not stop a write: sub-folders replaced by plain files do.
        DiskTierTest.breakSubFolders(failingDir);
        byte[] content = random(3 * MIB, 7);
        put(failing, "/big/failing.bin", content);
        for (int i = 0; i < 2; i++) {
            assertThat(get(failing, "/big/failing.bin")).isEqualTo(content);
            await().atMost(WAIT).until(() -> tier.pendingBytes() == 0);
        }
        assertThat(tier.failed()).isPositive();
        assertThat(tier.written()).isZero();
    }

    /** Waits until the writer is idle and {@code blocks} blocks of {@code path} are files in the folder. */
    private static void awaitWritten(DiskTier tier, String path, int blocks) {
        await().atMost(WAIT).until(() -> tier.pendingBytes() == 0 && filesOf(cacheDir, path).size() == blocks);
    }

    /** The block files whose header names {@code path}. */
    static List<Path> filesOf(Path dir, String path) throws IOException {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(f -> f.toString().endsWith(BlockFile.SUFFIX)).filter(f -> {
                try {
                    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f));
                    return b.getInt(24) == name.length
                            && b.slice(BlockFile.FIXED, name.length).equals(ByteBuffer.wrap(name));
                } catch (IOException | IndexOutOfBoundsException e) {
                    return false; // deleted or being written
                }
            }).toList();
        }
    }

    private static long bytesIn(Path dir) throws IOException {
        return DiskTierTest.bytesIn(dir);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void put(ConfigurableApplicationContext g, String path, byte[] body) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(g)
                        + "/api/v1/files" + path + "?parents=true"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as("PUT %s", path).isBetween(200, 204);
    }

    private static byte[] get(ConfigurableApplicationContext g, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(GatewayTestSupport.baseUrl(g) + "/api/v1/files" + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as("GET %s", path).isIn(200, 206);
        return r.body();
    }
}
