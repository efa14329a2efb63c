package org.pohmelfs.node.resync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.Xattr;

/**
 * The source of a resync: an IN_SYNC peer read through the native protocol with the plain read
 * commands (STAT, LIST, READ, XATTR_LIST; CHECKSUM in a verify pass), at the epoch the resyncing node last read from the map.
 * A whole file is fetched as [READ 0, XATTR_LIST, STAT] and then further READs; the versions in
 * every DATA and in the STAT must agree, or the file changed while it was read and the fetch is
 * started again (a version names one content and xattr set, §4.5).
 */
final class PeerSource implements Replica {
    private static final int MAX_TRIES = 5;
    /** Room in a frame for everything in a DATA reply but the data (header, attributes, trailer). */
    private static final int FRAME_HEADROOM = 16 * 1024;

    private final NodeConnection peer;
    private final LongSupplier epoch;
    private final Duration timeout;
    private final int chunk;
    private final int window;

    /** 1 MiB READs (less if the connection's frame is smaller), 4 in flight per file. */
    PeerSource(NodeConnection peer, LongSupplier epoch, Duration timeout) {
        this(peer, epoch, timeout, 1 << 20, 4);
    }

    /**
     * @param chunk  bytes asked for by one READ; lowered to what fits in the frame the connection
     *               negotiated (a DATA reply larger than that would be refused)
     * @param window READs in flight per file
     */
    PeerSource(NodeConnection peer, LongSupplier epoch, Duration timeout, int chunk, int window) {
        if (chunk < 1 || window < 1) {
            throw new IllegalArgumentException("chunk and window must be positive: " + chunk + ", " + window);
        }
        this.peer = peer;
        this.epoch = epoch;
        this.timeout = timeout;
        this.chunk = Math.min(chunk, peer.welcome().maxFrame() - FRAME_HEADROOM);
        this.window = window;
    }

    /** Bytes one READ asks for on this connection. */
    int chunk() {
        return chunk;
    }

    /** A fetched file: its attributes and xattrs; the content went to the temporary file. */
    record Fetched(Attr attr, List<Xattr> xattrs) {
    }

    @Override
    public Attr stat(String path) throws IOException {
        Result r = call(new Command.Stat(path)).results().getFirst();
        return switch (r) {
            case Result.Attrs a -> a.attr();
            case Result.Error e when gone(e) -> null;
            default -> throw failure(path, r);
        };
    }

    @Override
    public List<DirEntry> list(String path) throws IOException {
        List<DirEntry> out = new ArrayList<>();
        String after = "";
        while (true) {
            Result r = call(new Command.List(path, after, 10_000)).results().getFirst();
            switch (r) {
                case Result.Listing l -> {
                    out.addAll(l.entries());
                    if (!l.more() || l.entries().isEmpty()) {
                        return out;
                    }
                    after = l.entries().getLast().name();
                }
                case Result.Error e when gone(e) -> {
                    return out;
                }
                default -> throw failure(path, r);
            }
        }
    }

    /**
     * The source file's SHA-256 (CHECKSUM to the end) and client xattrs in one request; null when
     * it is gone or a directory. The node sums every byte within the request timeout.
     */
    @Override
    public Fingerprint fingerprint(String path) throws IOException {
        List<Result> r = call(new Command.Checksum(path, 0, Command.Checksum.TO_END), new Command.XattrList(path)).results();
        return switch (r.getFirst()) {
            case Result.Checksum c when r.get(1) instanceof Result.Xattrs x -> new Fingerprint(c.attr(), c.sha256(), x.xattrs());
            case Result.Checksum c -> null; // gone between the two commands
            case Result.Error e when gone(e) || e.code() == ErrorCode.IS_DIRECTORY -> null;
            default -> throw failure(path, r.getFirst());
        };
    }

    /** A directory's attributes and xattrs, read consistently; null when it is gone or not a directory. */
    Fetched directory(String path) throws IOException {
        for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
            List<Result> r = call(new Command.Stat(path), new Command.XattrList(path), new Command.Stat(path)).results();
            if (r.getFirst() instanceof Result.Error e) {
                if (gone(e)) {
                    return null;
                }
                throw failure(path, e);
            }
            Attr before = ((Result.Attrs) r.get(0)).attr();
            Attr after = ((Result.Attrs) r.get(2)).attr();
            if (!before.isDirectory()) {
                return null;
            }
            if (before.version() == after.version()) {
                return new Fetched(after, ((Result.Xattrs) r.get(1)).xattrs());
            }
        }
        throw new IOException("the source's " + path + " kept changing while it was read");
    }

    /** Fetches the file at {@code path} into {@code temp}; null when it is gone or not a file. */
    Fetched fetch(String path, Path temp) throws IOException {
        for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
            // The first READ shares its reply with the xattrs: at most the connection's usual chunk,
            // which leaves at least half the frame for them.
            List<Result> first = call(new Command.Read(path, 0, Math.min(chunk, peer.maxChunk())), new Command.XattrList(path),
                    new Command.Stat(path)).results();
            if (first.getFirst() instanceof Result.Error e) {
                if (gone(e) || e.code() == ErrorCode.IS_DIRECTORY) {
                    return null;
                }
                throw failure(path, e);
            }
            Result.Data data = (Result.Data) first.get(0);
            List<Xattr> xattrs = ((Result.Xattrs) first.get(1)).xattrs();
            Attr attr = ((Result.Attrs) first.get(2)).attr();
            if (attr.version() != data.attr().version()) {
                continue;
            }
            if (writeAll(path, temp, data, attr)) {
                return new Fetched(attr, xattrs);
            }
        }
        throw new IOException("the source's " + path + " kept changing while it was copied");
    }

    /**
     * Writes the first chunk and reads the rest with {@code window} READs in flight, each written
     * at its offset as it arrives (nothing else is buffered); false when the version changed.
     * Replies come in request order on one connection; on any failure the READs still in flight
     * are cancelled and the temporary file is left for the caller to delete.
     */
    private boolean writeAll(String path, Path temp, Result.Data first, Attr attr) throws IOException {
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            write(out, first.data(), 0);
            long offset = first.data().remaining();
            java.util.ArrayDeque<java.util.concurrent.CompletableFuture<Message.Reply>> inFlight = new java.util.ArrayDeque<>();
            long next = offset;
            try {
                while (offset < attr.size()) {
                    while (inFlight.size() < window && next < attr.size()) {
                        inFlight.add(send(new Command.Read(path, next, (int) Math.min(chunk, attr.size() - next))));
                        next += Math.min(chunk, attr.size() - next);
                    }
                    Result r = await(inFlight.removeFirst()).results().getFirst();
                    if (!(r instanceof Result.Data d) || d.attr().version() != attr.version()) {
                        return false;
                    }
                    if (d.data().remaining() == 0) {
                        return false; // shorter than its STAT said: it changed
                    }
                    write(out, d.data(), offset);
                    offset += d.data().remaining();
                }
                return true;
            } finally {
                inFlight.forEach(f -> f.cancel(false));
            }
        }
    }

    private static void write(FileChannel out, ByteBuffer data, long position) throws IOException {
        ByteBuffer b = data.duplicate();
        while (b.hasRemaining()) {
            position += out.write(b, position);
        }
    }

    private java.util.concurrent.CompletableFuture<Message.Reply> send(Command... commands) {
        return peer.send(new Message.Request(peer.newTxid(), epoch.getAsLong(), List.of(commands)));
    }

    private Message.Reply call(Command... commands) throws IOException {
        return await(send(commands));
    }

    private Message.Reply await(java.util.concurrent.CompletableFuture<Message.Reply> reply) throws IOException {
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("resync source " + peer.nodeId() + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("resync source " + peer.nodeId() + " did not answer within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    private static boolean gone(Result.Error e) {
        return e.code() == ErrorCode.NOT_FOUND || e.code() == ErrorCode.NOT_DIRECTORY;
    }

    private IOException failure(String path, Result r) {
        String message = "resync source " + peer.nodeId() + " on " + path + ": " + r;
        return r instanceof Result.Error e && e.code() == ErrorCode.STALE_EPOCH ? new StaleEpoch(message)
                : new IOException(message);
    }

    /** The source refused a request of an older epoch: the map changed (this node was fenced, say). */
    public static final class StaleEpoch extends IOException {
        StaleEpoch(String message) {
            super(message);
        }
    }
}
