package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;

/** Test helpers: one-line requests against a {@link TransactionManager}, and tree snapshots. */
public final class Fixture {
    private final TransactionManager tm;
    private final AtomicLong txid = new AtomicLong();
    private final String peer;
    private final long incarnation;

    /** A fresh incarnation per fixture, so a reopened node's durable reply cache does not answer. */
    public Fixture(TransactionManager tm) {
        this(tm, "test", java.util.concurrent.ThreadLocalRandom.current().nextLong());
    }

    /** A fixture sending as this peer and incarnation (transaction stamps depend on them). */
    public Fixture(TransactionManager tm, String peer, long incarnation) {
        this.tm = tm;
        this.peer = peer;
        this.incarnation = incarnation;
    }

    public Message.Reply send(Command... commands) {
        return sendAs(txid.incrementAndGet(), commands);
    }

    /** Sends the commands as transaction {@code id} of this fixture's peer and incarnation. */
    public Message.Reply sendAs(long id, Command... commands) {
        return tm.apply(peer, incarnation, new Message.Request(id, 0, List.of(commands)));
    }

    /** The version stamp of this fixture's transaction {@code id}. */
    public long stampOf(long id) {
        return org.pohmelfs.node.store.TxStamp.of(peer, incarnation, id);
    }

    /** The version (xattr {@code user.pohmelfs.v}) of every object below {@code root}, state folder excluded. */
    public static TreeMap<String, Long> versions(Path root) throws IOException {
        TreeMap<String, Long> out = new TreeMap<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a)
                    throws IOException {
                if (d.equals(root.resolve(".pohmelfs"))) {
                    return java.nio.file.FileVisitResult.SKIP_SUBTREE; // the trash empties in the background
                }
                add(d);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a)
                    throws IOException {
                add(f);
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            private void add(Path p) throws IOException {
                UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                ByteBuffer b = ByteBuffer.allocate(8);
                out.put("/" + root.relativize(p), v.list().contains("pohmelfs.v") && v.read("pohmelfs.v", b) == 8 ? b.getLong(0) : 0L);
            }
        });
        return out;
    }

    /**
     * Gives a new export's root a version before the node first opens it (otherwise the start
     * draws a random one), so two test exports can be compared version for version.
     */
    public static void seedRootVersion(Path export, long v) throws IOException {
        Files.getFileAttributeView(export, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .write("pohmelfs.v", ByteBuffer.allocate(8).putLong(0, v));
    }

    /** Runs the commands as one transaction and expects success. */
    public List<Result> ok(Command... commands) {
        Message.Reply r = send(commands);
        assertThat(r.ok()).as("reply %s", r).isTrue();
        return r.results();
    }

    public Attr attrs(Command c) {
        return ((Result.Attrs) ok(c).getFirst()).attr();
    }

    public Attr stat(String path) {
        return attrs(new Command.Stat(path));
    }

    /** Runs the commands as one transaction and returns the first error's code. */
    public ErrorCode err(Command... commands) {
        Message.Reply r = send(commands);
        assertThat(r.ok()).as("reply %s", r).isFalse();
        return r.firstError().code();
    }

    public static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    public static String text(ByteBuffer b) {
        return StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    public static Command.Write write(String path, long offset, String data) {
        return new Command.Write(path, offset, bytes(data), true);
    }

    public String read(String path) {
        return text(((Result.Data) ok(new Command.Read(path, 0, 1 << 20)).getFirst()).data());
    }

    /**
     * Everything a client or operator could observe of a tree (the state folder excluded): per
     * object its type, permissions, mtime, content and every user xattr (internal ones included).
     */
    public static TreeMap<String, String> snapshot(Path root) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.forEach(all::add);
        }
        for (Path p : all) {
            String rel = root.relativize(p).toString();
            if (rel.equals(".pohmelfs") || rel.startsWith(".pohmelfs/")) {
                continue;
            }
            StringBuilder sb = new StringBuilder();
            boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
            sb.append(dir ? "d " : "f ");
            sb.append(PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)));
            sb.append(" mtime=").append(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant());
            if (!dir) {
                sb.append(" content=").append(java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
            }
            UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            for (String n : new java.util.TreeSet<>(v.list())) {
                ByteBuffer b = ByteBuffer.allocate(v.size(n));
                v.read(n, b);
                sb.append(' ').append(n).append('=').append(java.util.HexFormat.of().formatHex(b.array()));
            }
            out.put(rel, sb.toString());
        }
        return out;
    }
}
