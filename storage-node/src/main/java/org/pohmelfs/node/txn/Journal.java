package org.pohmelfs.node.txn;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.pohmelfs.node.store.Durability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only journal file. Each record is one frame:
 * <pre>
 * +-----------+-------------+---------------------------+
 * | i32 len   | i32 crc32c  | payload (len bytes)       |
 * +-----------+-------------+---------------------------+
 * </pre>
 * A batch of records is written with one {@code write} and, when forcing, one {@code fsync}.
 * Reading stops at the first torn or corrupt frame: everything after it was never acknowledged
 * (its change was not made). A failed append is cut off again so the file stays a clean prefix.
 *
 * <p>Not thread-safe; the transaction manager writes it under its write lock. The one
 * exception is {@link #forceIfUnforced}, which readers (COMMIT, SYNC) may call under the read
 * lock: the channel is swapped ({@link #compact}) and appended to only under the write lock.
 */
final class Journal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    private static final int MAX_RECORD = 256 << 20;

    private final Path file;
    private volatile FileChannel channel;
    private long size;
    /** Records were appended without a force since the last force (unstable transactions). */
    private volatile boolean unforced;

    private Journal(Path file, FileChannel channel, long size) {
        this.file = file;
        this.channel = channel;
        this.size = size;
    }

    /** Reads every intact record of {@code file} (none if it does not exist). */
    static List<JournalRecord> read(Path file) throws IOException {
        List<JournalRecord> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long pos = 0;
            ByteBuffer head = ByteBuffer.allocate(8);
            while (true) {
                head.clear();
                if (readFully(ch, head, pos) < 8) {
                    break;
                }
                int len = head.getInt(0);
                int crc = head.getInt(4);
                if (len <= 0 || len > MAX_RECORD || pos + 8 + len > ch.size()) {
                    log.warn("journal {}: torn record at {}, ignoring the tail", file, pos);
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(len);
                readFully(ch, body, pos + 8);
                if (crc(body.array()) != crc) {
                    log.warn("journal {}: bad checksum at {}, ignoring the tail", file, pos);
                    break;
                }
                out.add(JournalCodec.decode(new DataInputStream(new ByteArrayInputStream(body.array()))));
                pos += 8 + len;
            }
        }
        return out;
    }

    /** Replaces {@code file} atomically by one holding {@code records}, and opens it for appending. */
    static Journal rewrite(Path file, List<JournalRecord> records) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(frames(records.stream().map(JournalCodec::encode).toList()));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Durability.forceDirectory(file.getParent());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
        return new Journal(file, ch, ch.size());
    }

    /** Appends records in one write; with {@code force} they are on stable storage on return. */
    void append(List<JournalRecord> records, boolean force) throws IOException {
        ByteBuffer buf = frames(records.stream().map(JournalCodec::encode).toList());
        long before = size;
        try {
            long pos = before;
            while (buf.hasRemaining()) {
                pos += channel.write(buf, pos);
            }
            if (force) {
                channel.force(false);
                unforced = false;
            } else if (!records.isEmpty()) {
                unforced = true;
            }
            size = pos;
        } catch (IOException e) {
            channel.truncate(before);
            throw e;
        }
    }

    long size() {
        return size;
    }

    boolean hasUnforced() {
        return unforced;
    }

    /** Forces what was appended unforced, if anything; returns whether it forced. */
    boolean forceIfUnforced() throws IOException {
        if (!unforced) {
            return false;
        }
        // Cleared only after the force: a concurrent reader that sees false may rely on it.
        channel.force(false);
        unforced = false;
        return true;
    }

    Path file() {
        return file;
    }

    /** Swaps in a compacted copy holding {@code records}. */
    void compact(List<JournalRecord> records) throws IOException {
        channel.close();
        Journal fresh = rewrite(file, records);
        this.channel = fresh.channel;
        this.size = fresh.size;
        this.unforced = false;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static ByteBuffer frames(List<byte[]> payloads) {
        int total = 0;
        for (byte[] p : payloads) {
            total += 8 + p.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(total);
        for (byte[] p : payloads) {
            buf.putInt(p.length).putInt(crc(p)).put(p);
        }
        return buf.flip();
    }

    private static int crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return (int) c.getValue();
    }

    private static int readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                break;
            }
        }
        return b.position();
    }
}
