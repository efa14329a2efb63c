package org.pohmelfs.node.resync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.node.config.TransactionExecutor;
import org.pohmelfs.node.server.IoExecutor;
import org.pohmelfs.node.server.NodeMetrics;
import org.pohmelfs.node.server.NodeServer;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.node.txn.TransactionManager;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.LinkPolicy;
import org.pohmelfs.protocol.Message;

/**
 * {@link ResyncPass} with its real parts: a source node in this JVM on a free loopback port read
 * through {@link PeerSource} (plain STAT, LIST, READ, XATTR_LIST), and a local export changed
 * through {@code ResyncOps}. After a resync the two exports are equal object by object (type,
 * content digest, mode, mtime of files, every user xattr including the node's version); a later
 * resync after a few changes copies only the changed bytes.
 */
class ResyncOnTheWireTest {
    @TempDir
    Path dir;

    static final class Source implements AutoCloseable {
        final TransactionManager transactions;
        final IoExecutor io = new IoExecutor(8);
        final NodeServer server;
        final NodeConnection client;

        Source(Path export) throws IOException {
            this(export, false);
        }

        Source(Path export, boolean fsync) throws IOException {
            transactions = TransactionManager.open(new StoreSettings(export, 0, false, fsync, 1000));
            server = new NodeServer(new NodeServer.Settings("src", "test", "127.0.0.1", 0, LinkPolicy.defaults(), null,
                    64), new TransactionExecutor(transactions), io, new NodeMetrics(new SimpleMeterRegistry()), null);
            server.start();
            client = new NodeClient(ClientSettings.defaults("writer", "test")).connectBlocking(server.address());
        }

        void run(Command... commands) {
            Message.Reply r = client.execute(commands).join();
            assertThat(r.ok()).as("%s", r).isTrue();
        }

        @Override
        public void close() {
            client.close();
            server.close();
            io.close();
            transactions.close();
        }
    }

    record Run(ResyncPass.Outcome outcome, int passes) {
    }

    static Run resync(NodeConnection peer, TransactionManager local, Set<String> suspects) throws Exception {
        return resync(peer, local, suspects, 4);
    }

    static Run resync(NodeConnection peer, TransactionManager local, Set<String> suspects, int parallel) throws Exception {
        return resync(peer, local, suspects, parallel, 1 << 20, 4);
    }

    static Run resync(NodeConnection peer, TransactionManager local, Set<String> suspects, int parallel, int chunk,
                      int window) throws Exception {
        return resync(peer, local, suspects, parallel, chunk, window, false);
    }

    /** Passes until one is quiet; with {@code verify}, the first is a verify pass. */
    static Run resync(NodeConnection peer, TransactionManager local, Set<String> suspects, int parallel, int chunk,
                      int window, boolean verify) throws Exception {
        Set<String> unverified = new HashSet<>();
        PeerSource source = new PeerSource(peer, () -> 0, Duration.ofSeconds(30), chunk, window);
        LocalReplica replica = new LocalReplica(local.resync(), source);
        long changed = 0;
        long bytes = 0;
        for (int pass = 1; pass <= 10; pass++) {
            ResyncPass.Outcome o = ResyncPass.run(source, replica, replica, () -> { }, ResyncPass.Listener.NONE, parallel,
                    suspects, v -> false, verify && pass == 1, unverified);
            if (o.quiet()) {
                return new Run(new ResyncPass.Outcome((int) changed, bytes, 0), pass);
            }
            changed += o.changed();
            bytes += o.bytes();
        }
        throw new AssertionError("not quiet after 10 passes");
    }

    @Test
    void aResyncMakesTheExportsEqualAndALaterOneCopiesOnlyWhatChanged() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        // fsync on locally (the default node's setting), so the forced installs and syncs run too.
        try (Source src = new Source(a);
             TransactionManager local = TransactionManager.open(new StoreSettings(b, 0, false, true, 1000));
             NodeConnection peer = new NodeClient(ClientSettings.defaults("resync:b", "test"))
                     .connectBlocking(src.server.address())) {
            // Something local that the source does not have, and must go.
            local.apply("x", 1, new Message.Request(1, 0, List.of(new Command.Mkdir("/stale", false, 0755),
                    new Command.Write("/stale/f", 0, bytes("old"), true))));
            src.run(new Command.Mkdir("/d", false, 0750), new Command.Mkdir("/d/e", false, 0700));
            byte[] big = new byte[3 << 20];
            new java.util.Random(7).nextBytes(big);
            src.run(new Command.Write("/d/big", 0, ByteBuffer.wrap(big, 0, 1 << 20), true));
            src.run(new Command.Write("/d/big", 1 << 20, ByteBuffer.wrap(big, 1 << 20, 1 << 20), false));
            src.run(new Command.Write("/d/big", 2 << 20, ByteBuffer.wrap(big, 2 << 20, 1 << 20), false));
            for (int i = 0; i < 50; i++) {
                src.run(new Command.Write("/d/e/f" + i, 0, bytes("file " + i), true));
            }
            src.run(new Command.XattrSet("/d/e/f3", "color", bytes("blue")), new Command.SetAttr("/d/e/f4",
                    Command.SetAttr.UNCHANGED, 0600), new Command.XattrSet("/d", "owner", bytes("me")));
            src.run(new Command.Write("/top", 0, bytes("top"), true));

            Run first = resync(peer, local, new HashSet<>());

            assertThat(tree(b)).isEqualTo(tree(a));
            assertThat(first.outcome().bytes()).isEqualTo(big.length + 10 * 6L + 40 * 7L + 3); // "file N" and "top"

            src.run(new Command.Write("/d/e/f7", 0, bytes("changed"), false));
            src.run(new Command.Delete("/d/e/f8", false));
            Run second = resync(peer, local, new HashSet<>());

            assertThat(tree(b)).isEqualTo(tree(a));
            assertThat(second.outcome().bytes()).as("only the changed file copied").isEqualTo("changed".length());
        }
    }

    @Test
    void bytesChangedOnTheDiskUnderTheSameVersionAreLeftByANormalResyncAndRepairedByAVerifyOne() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        try (Source src = new Source(a);
             TransactionManager local = TransactionManager.open(new StoreSettings(b, 0, false, false, 1000));
             NodeConnection peer = new NodeClient(ClientSettings.defaults("resync:b", "test"))
                     .connectBlocking(src.server.address())) {
            byte[] big = new byte[(1 << 20) + 12345]; // more than one CHECKSUM buffer
            new java.util.Random(11).nextBytes(big);
            src.run(new Command.Mkdir("/d", false, 0755), new Command.Write("/d/big", 0, ByteBuffer.wrap(big), true));
            src.run(new Command.Write("/d/small", 0, bytes("small"), true), new Command.XattrSet("/d/small", "c", bytes("v")));
            resync(peer, local, new HashSet<>());
            assertThat(tree(b)).isEqualTo(tree(a));
            Map<String, String> good = tree(a);

            // Bit rot in the middle of the large file and an edit of the small one, straight on b's disk:
            // same sizes, and the version xattr is not touched.
            try (var ch = java.nio.channels.FileChannel.open(b.resolve("d/big"), java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {(byte) ~big[700_000]}), 700_000);
            }
            try (var ch = java.nio.channels.FileChannel.open(b.resolve("d/small"), java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(bytes("SMALL"), 0);
            }
            Files.setLastModifiedTime(b.resolve("d/big"), Files.getLastModifiedTime(a.resolve("d/big")));
            Files.setLastModifiedTime(b.resolve("d/small"), Files.getLastModifiedTime(a.resolve("d/small")));
            Map<String, String> damaged = tree(b);
            assertThat(damaged).isNotEqualTo(good);

            Run normal = resync(peer, local, new HashSet<>());

            assertThat(normal.passes()).as("the first pass is quiet").isEqualTo(1);
            assertThat(tree(b)).isEqualTo(damaged);

            Run verify = resync(peer, local, new HashSet<>(), 4, 1 << 20, 4, true);

            assertThat(tree(b)).isEqualTo(good);
            assertThat(verify.outcome().changed()).isEqualTo(2);
            assertThat(verify.outcome().bytes()).isEqualTo(big.length + 5L);
            assertThat(Files.readAllBytes(b.resolve("d/big"))).isEqualTo(big);
        }
    }

    @Test
    void theNodeAsksForAVerifyPassWhenItStartsOnObjectsWithoutAVersion() throws Exception {
        Path fresh = Files.createDirectories(dir.resolve("fresh"));
        try (TransactionManager tm = TransactionManager.open(new StoreSettings(fresh, 0, false, false, 1000))) {
            assertThat(tm.resync().verifyRequested()).as("a new export's bare root is no sign").isFalse();
        }
        Files.writeString(fresh.resolve("by-hand.txt"), "put here while the node was stopped");
        try (TransactionManager tm = TransactionManager.open(new StoreSettings(fresh, 0, false, false, 1000))) {
            assertThat(tm.resync().verifyRequested()).isTrue();
            tm.resync().verifyDone();
            assertThat(tm.resync().verifyRequested()).isFalse();
        }
        try (TransactionManager tm = TransactionManager.open(new StoreSettings(fresh, 0, false, false, 1000))) {
            assertThat(tm.resync().verifyRequested()).as("everything has a version now").isFalse();
        }
    }

    @Test
    void checksumAnswersTheDigestOfARangeAndRefusesADirectory() throws Exception {
        Path a = Files.createDirectories(dir.resolve("sum"));
        try (Source src = new Source(a)) {
            byte[] data = new byte[600_000];
            new java.util.Random(3).nextBytes(data);
            src.run(new Command.Mkdir("/d", false, 0755), new Command.Write("/d/f", 0, ByteBuffer.wrap(data), true));
            var whole = (org.pohmelfs.protocol.Result.Checksum) src.client.execute(
                    new Command.Checksum("/d/f", 0, Command.Checksum.TO_END)).join().results().getFirst();
            var range = (org.pohmelfs.protocol.Result.Checksum) src.client.execute(
                    new Command.Checksum("/d/f", 1000, 300_000)).join().results().getFirst();
            var past = (org.pohmelfs.protocol.Result.Checksum) src.client.execute(
                    new Command.Checksum("/d/f", 599_999, 50)).join().results().getFirst();
            assertThat(hex(whole.sha256())).isEqualTo(digest(data));
            assertThat(whole.attr().size()).isEqualTo(data.length);
            assertThat(hex(range.sha256())).isEqualTo(digest(java.util.Arrays.copyOfRange(data, 1000, 301_000)));
            assertThat(hex(past.sha256())).isEqualTo(digest(java.util.Arrays.copyOfRange(data, 599_999, 600_000)));
            assertThat(code(src.client, new Command.Checksum("/d", 0, -1))).isEqualTo(org.pohmelfs.protocol.ErrorCode.IS_DIRECTORY);
            assertThat(code(src.client, new Command.Checksum("/nope", 0, -1))).isEqualTo(org.pohmelfs.protocol.ErrorCode.NOT_FOUND);
        }
    }

    private static String hex(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return HexFormat.of().formatHex(out);
    }

    @Test
    void aNodeThatIsNotInSyncAnswersReadsBusyAndStillAppliesWrites() throws Exception {
        Path a = Files.createDirectories(dir.resolve("gate"));
        var fence = org.pohmelfs.node.cluster.EpochFence.standalone();
        try (TransactionManager tm = TransactionManager.open(new StoreSettings(a, 0, false, false, 1000));
             IoExecutor io = new IoExecutor(4)) {
            NodeServer server = new NodeServer(new NodeServer.Settings("gate", "test", "127.0.0.1", 0,
                    LinkPolicy.defaults(), null, 64), new TransactionExecutor(tm), io,
                    new NodeMetrics(new SimpleMeterRegistry()), null, fence);
            server.start();
            try (NodeConnection c = new NodeClient(ClientSettings.defaults("gw", "test")).connectBlocking(server.address())) {
                fence.inSync(false);
                assertThat(c.execute(new Command.Mkdir("/m", false, 0755)).join().ok()).isTrue();
                assertThat(code(c, new Command.Stat("/m"))).isEqualTo(org.pohmelfs.protocol.ErrorCode.BUSY);
                assertThat(code(c, new Command.List("/", "", 10))).isEqualTo(org.pohmelfs.protocol.ErrorCode.BUSY);
                assertThat(code(c, new Command.Read("/m", 0, 1))).isEqualTo(org.pohmelfs.protocol.ErrorCode.BUSY);
                assertThat(code(c, new Command.XattrList("/m"))).isEqualTo(org.pohmelfs.protocol.ErrorCode.BUSY);
                assertThat(code(c, new Command.Checksum("/m", 0, -1))).isEqualTo(org.pohmelfs.protocol.ErrorCode.BUSY);
                assertThat(c.execute(new Command.Ping(5)).join().ok()).isTrue();
                fence.inSync(true);
                assertThat(c.execute(new Command.Stat("/m")).join().ok()).isTrue();
            } finally {
                server.close();
            }
        }
    }

    private static org.pohmelfs.protocol.ErrorCode code(NodeConnection c, Command command) {
        var e = c.execute(command).join().firstError();
        return e == null ? null : e.code();
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Every object below the export root (.pohmelfs skipped): type, digest, mode, file mtime, user xattrs. */
    static Map<String, String> tree(Path export) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(export)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path rel = export.relativize(p);
                if (!rel.toString().isEmpty() && rel.getName(0).toString().equals(".pohmelfs")) {
                    continue;
                }
                boolean directory = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                StringBuilder s = new StringBuilder(directory ? "dir" : "file " + digest(Files.readAllBytes(p)) + " "
                        + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis());
                s.append(' ').append(PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
                UserDefinedFileAttributeView x = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS);
                for (String name : x.list().stream().sorted().toList()) {
                    ByteBuffer v = ByteBuffer.allocate(x.size(name));
                    x.read(name, v);
                    s.append(' ').append(name).append('=').append(HexFormat.of().formatHex(v.array(), 0, v.position()));
                }
                out.put("/" + rel, s.toString());
            }
        }
        return out;
    }

    private static String digest(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
