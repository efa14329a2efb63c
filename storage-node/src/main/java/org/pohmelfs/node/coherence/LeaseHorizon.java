package org.pohmelfs.node.coherence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's persisted lease horizon (design.md §3.6, "Grace period"): a wall-clock time before
 * which leases granted by this export's node may still be held. Contract: before a grant or a
 * renewal is sent at wall time {@code now}, {@link #ensure()} has made {@code now + L} or later
 * durable; so after a crash or restart no lease of the previous incarnation outlives the stored
 * horizon, and the next start needs a grace period only until then, never longer than L.
 *
 * <p>How: the file {@code .pohmelfs/lease-horizon} holds 8 bytes (epoch milliseconds,
 * big-endian), written to a temporary file, forced, renamed over the old one, the folder forced.
 * Writes are amortised: only when the stored horizon is less than {@code now + L} is it pushed to
 * {@code now + }{@value #AHEAD}{@code ·L}, so a busy node writes it once every
 * ({@value #AHEAD}−1)·L. The grace at start is {@link #graceMillis} of what was read: a pure
 * function, in the safe direction for every doubtful case.
 */
public final class LeaseHorizon {
    private static final Logger log = LoggerFactory.getLogger(LeaseHorizon.class);
    /** How many lease durations ahead of now a rewrite pushes the horizon. */
    public static final int AHEAD = 6;
    static final String FILE = "lease-horizon";

    /** What the file said at start. */
    sealed interface Read {
        /** No file: the export never served a lease from a build that keeps the horizon. */
        record Missing() implements Read {
        }

        /** The file exists but cannot be read or does not hold 8 bytes. */
        record Corrupt(String why) implements Read {
        }

        record At(long epochMillis) implements Read {
        }
    }

    private final Path file;
    private final long leaseMillis;
    private final LongSupplier wallMillis;
    private final long graceMillis;
    private long stored; // the horizon known durable; only the driver thread touches it after open

    private LeaseHorizon(Path file, long leaseMillis, LongSupplier wallMillis, Read read) {
        this.file = file;
        this.leaseMillis = leaseMillis;
        this.wallMillis = wallMillis;
        long now = wallMillis.getAsLong();
        this.graceMillis = graceMillis(read, now, leaseMillis);
        this.stored = read instanceof Read.At(long at) ? at : Long.MIN_VALUE;
        log.info("lease horizon {}: {}; grace period {} ms", file, read, graceMillis);
    }

    /** Reads the horizon of the export whose state folder is {@code stateDir}. */
    public static LeaseHorizon open(Path stateDir, Duration lease, LongSupplier wallMillis) {
        return new LeaseHorizon(stateDir.resolve(FILE), lease.toMillis(), wallMillis, read(stateDir.resolve(FILE)));
    }

    static Read read(Path file) {
        try {
            byte[] b = Files.readAllBytes(file);
            return b.length == 8 ? new Read.At(ByteBuffer.wrap(b).getLong()) : new Read.Corrupt(b.length + " bytes");
        } catch (NoSuchFileException e) {
            return new Read.Missing();
        } catch (IOException | RuntimeException e) {
            return new Read.Corrupt(e.toString());
        }
    }

    /**
     * The grace period after a start at wall time {@code now}. Every lease of the previous
     * incarnation ended at most L after its last grant or renewal, which came before this start:
     * so L is always enough, and the answer is capped at L (a horizon further away than that
     * means the wall clock went back; waiting L is then safe, waiting longer is pointless). No file
     * means a fresh export: no grace. A corrupt or unreadable file: the full L. A horizon in the
     * past: no grace.
     */
    static long graceMillis(Read read, long now, long leaseMillis) {
        return switch (read) {
            case Read.Missing m -> 0;
            case Read.Corrupt c -> leaseMillis;
            case Read.At(long at) -> Math.clamp(at - now, 0, leaseMillis);
        };
    }

    /** The horizon a write at {@code now} would store, or none (Long.MIN_VALUE) when {@code stored} still covers now + L. */
    static long nextHorizon(long stored, long now, long leaseMillis) {
        return stored >= now + leaseMillis ? Long.MIN_VALUE : now + AHEAD * leaseMillis;
    }

    public Duration grace() {
        return Duration.ofMillis(graceMillis);
    }

    /**
     * Makes sure the durable horizon is at least {@code now + L} (driver thread, before a grant or
     * renewal is handed out). On a write failure the file is emptied if possible, so the next
     * start takes the full grace period, and the error is logged; the lease is handed out anyway.
     */
    void ensure() {
        long now = wallMillis.getAsLong();
        long next = nextHorizon(stored, now, leaseMillis);
        if (next == Long.MIN_VALUE) {
            return;
        }
        try {
            write(next);
            stored = next;
        } catch (IOException e) {
            log.error("writing the lease horizon {} failed; the next start waits a full lease duration", file, e);
            try {
                Files.write(file, new byte[0]);
            } catch (IOException again) {
                log.error("emptying the lease horizon {} failed too; remove it and the next start may not wait", file, again);
            }
        }
    }

    /**
     * At a clean stop, once nothing more can be granted or renewed: stores the exact horizon,
     * {@code now + remainingMillis} (the latest end of a lease still held), so the next start
     * waits only that long, not up to L. Lowering the horizon is safe only here.
     */
    void stopped(long remainingMillis) {
        long h = wallMillis.getAsLong() + Math.max(0, remainingMillis);
        try {
            write(h);
            stored = h;
            log.info("lease horizon {}: leases end within {} ms of this stop", file, Math.max(0, remainingMillis));
        } catch (IOException e) {
            log.warn("writing the lease horizon {} at stop failed; the stored, later one stays", file, e);
        }
    }

    private void write(long horizon) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.allocate(8).putLong(0, horizon));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
