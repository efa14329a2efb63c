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
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.pohmelfs.node.store.Durability;
import org.pohmelfs.node.store.PendingForce;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only journal file. Each record is one frame:
 * <pre>
 * +-----------+-------------+---------------------------+
 * | i32 len   | i32 crc32c  | payload (len bytes)       |
 * +-----------+-------------+---------------------------+
 * </pre>
 * A batch of records is written with one {@code write}. Reading stops at the first torn or
 * corrupt frame: everything after it was never acknowledged (its change was not made). A failed
 * append is cut off again so the file stays a clean prefix.
 *
 * <p>Group commit (design.md §2.2): {@link #append} returns the LSN at the end of the batch and
 * forces nothing; {@link #sync} makes the journal durable up to an LSN. Concurrent callers of
 * {@link #sync} share forces: one of them (the leader) forces, for everyone, the journal up to
 * all that was appended when it started, and before it the files of every End record in that
 * prefix ({@link ForceBook} holds the bookkeeping). A caller that a running force does not cover
 * starts the next force at once rather than waiting for it to end. A force that fails makes every later
 * {@link #sync} fail: the node must restart.
 *
 * <p>Thread-safe. Appends come from the transaction manager under its write lock; {@link #sync}
 * from any thread; {@link #compact} only under the manager's write lock.
 */
final class Journal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    private static final int MAX_RECORD = 256 << 20;

    private final Path file;
    private final ReentrantLock monitor = new ReentrantLock();
    private final Condition forceEnded = monitor.newCondition();
    private final ForceBook<PendingForce> book = new ForceBook<>();
    private FileChannel channel;
    private long size;
    /** Forces of the journal file itself (tests, metrics). */
    private long forces;
    /** {@link ForceBook#durableLsn}, readable without the monitor (most readers need nothing). */
    private volatile long durableHint;

    private Journal(Path file, FileChannel channel, long size) {
        this.file = file;
        this.channel = channel;
        this.size = size;
    }

    /** Reads every intact record of {@code file} (none if it does not exist). */
    static List<JournalRecord> read(Path file) throws IOException {
        return readPositioned(file).stream().map(Positioned::record).toList();
    }

    /** A record and the file offset just past it. */
    record Positioned(JournalRecord record, long end) {
    }

    /** As {@link #read}, with each record's end offset in the file (tests). */
    static List<Positioned> readPositioned(Path file) throws IOException {
        List<Positioned> out = new ArrayList<>();
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
                pos += 8 + len;
                out.add(new Positioned(JournalCodec.decode(new DataInputStream(new ByteArrayInputStream(body.array()))),
                        pos));
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

    /**
     * Appends records in one write, unforced. {@code before}: files that must be durable before
     * these records are (a committed transaction's data, for its End record). Returns the LSN at
     * the end of the records, for {@link #sync}.
     */
    long append(List<JournalRecord> records, List<PendingForce> before) throws IOException {
        ByteBuffer buf = frames(records.stream().map(JournalCodec::encode).toList());
        long bytes = buf.remaining();
        monitor.lock();
        try {
            long start = size;
            try {
                long pos = start;
                while (buf.hasRemaining()) {
                    pos += channel.write(buf, pos);
                }
                size = pos;
            } catch (IOException e) {
                channel.truncate(start);
                throw e;
            }
            return book.appended(bytes, before);
        } finally {
            monitor.unlock();
        }
    }

    /** Appends and makes the records durable (with {@code force}) before returning their LSN. */
    long append(List<JournalRecord> records, boolean force) throws IOException {
        long lsn = append(records, List.of());
        if (force) {
            sync(lsn);
        }
        return lsn;
    }

    /**
     * Returns once every record up to {@code lsn} is durable, and the files appended with them
     * ({@code before}) are forced: at once if they are, else after a force that this thread runs
     * for every waiter (the leader) or that another thread runs. Throws if a force failed (now
     * or before).
     */
    void sync(long lsn) throws IOException {
        if (lsn <= durableHint) {
            return;
        }
        ForceBook.Lead<?> lead;
        FileChannel ch;
        monitor.lock();
        try {
            while (true) {
                ForceBook.Step step = book.need(lsn);
                if (step instanceof ForceBook.Done) {
                    return;
                } else if (step instanceof ForceBook.Failed f) {
                    throw new IOException("the journal could not be forced earlier: " + f.why());
                } else if (step instanceof ForceBook.Lead<?> l) {
                    lead = l;
                    ch = channel;
                    break;
                }
                forceEnded.awaitUninterruptibly();
            }
        } finally {
            monitor.unlock();
        }
        String failure = null;
        try {
            forceAll(lead.before());
            ch.force(false);
        } catch (IOException | RuntimeException e) {
            failure = e.toString();
            log.error("group commit: forcing the journal {} failed; the node refuses changes until restarted", file, e);
            throw e instanceof IOException io ? io : new IOException(e);
        } finally {
            monitor.lock();
            try {
                if (failure == null) {
                    book.forced(lead.target());
                    durableHint = book.durableLsn();
                    forces++;
                } else {
                    book.failed(lead.target(), failure);
                }
                forceEnded.signalAll();
            } finally {
                monitor.unlock();
            }
        }
    }

    /** Forces each file once, several at a time (the disk serves parallel flushes faster). */
    private static void forceAll(List<?> handles) throws IOException {
        if (handles.size() == 1) {
            ((PendingForce) handles.getFirst()).force();
            return;
        }
        List<Thread> threads = new ArrayList<>(handles.size());
        IOException[] failed = {null};
        for (Object h : handles) {
            threads.add(Thread.ofVirtual().name("group-force").start(() -> {
                try {
                    ((PendingForce) h).force();
                } catch (IOException e) {
                    synchronized (failed) {
                        failed[0] = e;
                    }
                }
            }));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while forcing", e);
            }
        }
        synchronized (failed) {
            if (failed[0] != null) {
                throw failed[0];
            }
        }
    }

    /** Makes everything appended so far durable (COMMIT, SYNC, compaction). */
    void syncAll() throws IOException {
        sync(appendedLsn());
    }

    /** The LSN at the end of the last append. */
    long appendedLsn() {
        monitor.lock();
        try {
            return book.appendedLsn();
        } finally {
            monitor.unlock();
        }
    }

    /** Everything up to this LSN is durable. */
    long durableLsn() {
        monitor.lock();
        try {
            return book.durableLsn();
        } finally {
            monitor.unlock();
        }
    }

    /** The file offset up to which the journal file is durable (tests). */
    long durableBytes() {
        monitor.lock();
        try {
            return size - (book.appendedLsn() - book.durableLsn());
        } finally {
            monitor.unlock();
        }
    }

    /** How many times the journal file was forced (tests). */
    long forces() {
        monitor.lock();
        try {
            return forces;
        } finally {
            monitor.unlock();
        }
    }

    long size() {
        monitor.lock();
        try {
            return size;
        } finally {
            monitor.unlock();
        }
    }

    boolean hasUnforced() {
        monitor.lock();
        try {
            return book.unforced();
        } finally {
            monitor.unlock();
        }
    }

    Path file() {
        return file;
    }

    /**
     * Swaps in a compacted copy holding {@code records}. Only when everything appended is
     * durable ({@link #syncAll} first) and no new append can come (the manager's write lock).
     */
    void compact(List<JournalRecord> records) throws IOException {
        monitor.lock();
        try {
            while (book.forcing()) {
                forceEnded.awaitUninterruptibly();
            }
            if (book.unforced()) {
                throw new IllegalStateException("compaction with records not yet durable");
            }
            channel.close();
            Journal fresh = rewrite(file, records);
            this.channel = fresh.channel;
            this.size = fresh.size;
        } finally {
            monitor.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        monitor.lock();
        try {
            channel.close();
        } finally {
            monitor.unlock();
        }
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
