package org.pohmelfs.node.resync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.node.txn.TransactionManager;
import org.pohmelfs.protocol.Command;

/**
 * {@link PeerSource}'s windowed fetch against a source node in this JVM on a free loopback port:
 * a file of many chunks arrives whole with READs in flight; the chunk never exceeds what the
 * connection's frame holds; and a fetch that fails after some chunks were written installs
 * nothing and leaves no temporary file.
 */
class PeerSourceTest {
    @TempDir
    Path dir;

    @Test
    void aFileOfManyChunksArrivesWholeWithSeveralReadsInFlight() throws Exception {
        byte[] content = randomBytes((1 << 20) + 12_345);
        try (Fixture f = new Fixture(dir, content)) {
            PeerSource source = new PeerSource(f.peer, () -> 0, Duration.ofSeconds(30), 64 * 1024, 3);
            LocalReplica replica = new LocalReplica(f.local.resync(), source);

            assertThat(replica.copyFile("/big", 0)).isEqualTo(content.length);

            assertThat(Files.readAllBytes(f.b.resolve("big"))).isEqualTo(content);
            assertThat(replica.stat("/big").version()).isEqualTo(source.stat("/big").version());
            assertThat(temps(f.b)).isEmpty();
        }
    }

    @Test
    void aChunkNeverExceedsTheNegotiatedFrame() throws Exception {
        try (Fixture f = new Fixture(dir, new byte[1])) {
            int frame = f.peer.welcome().maxFrame();
            assertThat(new PeerSource(f.peer, () -> 0, Duration.ofSeconds(5), Integer.MAX_VALUE, 4).chunk())
                    .isLessThan(frame).isGreaterThan(frame / 2);
            assertThat(new PeerSource(f.peer, () -> 0, Duration.ofSeconds(5), 4096, 4).chunk()).isEqualTo(4096);
            assertThatThrownBy(() -> new PeerSource(f.peer, () -> 0, Duration.ofSeconds(5), 4096, 0))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aFetchThatFailsAfterSomeChunksInstallsNothingAndLeavesNoTemporaryFile() throws Exception {
        byte[] content = randomBytes(1 << 20);
        try (Fixture f = new Fixture(dir, content)) {
            // The first 4 requests (the first READ with its XATTR_LIST and STAT, then a window of 3
            // READs) carry epoch 5, which the standalone source adopts; later ones carry 3, which it
            // refuses as stale: the fetch fails with chunks already written to the temporary file.
            AtomicInteger requests = new AtomicInteger();
            PeerSource source = new PeerSource(f.peer, () -> requests.incrementAndGet() <= 4 ? 5 : 3,
                    Duration.ofSeconds(30), 64 * 1024, 3);
            LocalReplica replica = new LocalReplica(f.local.resync(), source);

            assertThatThrownBy(() -> replica.copyFile("/big", 0)).isInstanceOf(IOException.class)
                    .hasMessageContaining("STALE_EPOCH");

            assertThat(requests.get()).isGreaterThan(4);
            assertThat(f.b.resolve("big")).doesNotExist();
            assertThat(temps(f.b)).isEmpty();
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(3).nextBytes(b);
        return b;
    }

    private static java.util.List<Path> temps(Path export) throws IOException {
        Path d = export.resolve(".pohmelfs/resync");
        if (!Files.exists(d)) {
            return java.util.List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    /** A source node holding /big and an empty local export. */
    private static final class Fixture implements AutoCloseable {
        final Path b;
        final ResyncOnTheWireTest.Source src;
        final TransactionManager local;
        final NodeConnection peer;

        Fixture(Path dir, byte[] content) throws IOException {
            Path a = Files.createDirectories(dir.resolve("a"));
            b = Files.createDirectories(dir.resolve("b"));
            src = new ResyncOnTheWireTest.Source(a);
            for (int off = 0; off < content.length; off += 1 << 20) {
                src.run(new Command.Write("/big", off, ByteBuffer.wrap(content, off, Math.min(1 << 20, content.length - off)),
                        off == 0));
            }
            local = TransactionManager.open(new StoreSettings(b, 0, false, true, 1000));
            peer = new NodeClient(ClientSettings.defaults("resync:b", "test")).connectBlocking(src.server.address());
        }

        @Override
        public void close() {
            peer.close();
            local.close();
            src.close();
        }
    }
}
