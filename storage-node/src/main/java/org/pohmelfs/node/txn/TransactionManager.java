package org.pohmelfs.node.txn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.HashSet;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.pohmelfs.node.locks.DavLockTable;
import org.pohmelfs.node.locks.LockFile;
import org.pohmelfs.node.locks.LockGuard;
import org.pohmelfs.node.store.LocalStore;
import org.pohmelfs.node.store.PendingForce;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.node.store.TxScope;
import org.pohmelfs.node.store.TxStamp;
import org.pohmelfs.node.store.UndoRecord;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.NodeInfo;
import org.pohmelfs.protocol.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies requests to the local store as all-or-nothing transactions, exactly once.
 *
 * <p>Contract of {@link #apply}: the commands run in order. If command k fails, every change of
 * commands 0..k-1 is taken back and the reply holds command k's error and
 * {@link ErrorCode#ABORTED} for every other command; otherwise one result per command. A resend
 * of a decided mutating transaction (same peer, incarnation and txid) is answered with the
 * original reply and not applied again. Read-only requests are not journalled or cached.
 *
 * <p>Locking: one fair read/write lock. Read-only requests share the read lock and run in
 * parallel; a mutating transaction holds the write lock from its first change to its decision,
 * so no reader ever sees it half-applied and mutations never interleave.
 *
 * <p>Durability: an undo journal (see {@link Journal}, {@link JournalCodec}). Before each change
 * its undo records are appended and forced (when {@code fsync}; the force is shared with every
 * concurrent waiter). At commit the changed files are opened, the End record with the reply is
 * appended <em>unforced</em> and the write lock is released; then, outside the lock, the
 * transaction forces its own files and waits until the journal is durable up to its End (group
 * commit, design.md §2.2: one force serves every End appended before it started, and the journal
 * forces the files of every End it covers first). The reply leaves only after that. A reply of
 * any request waits until every stable transaction applied before it ran is durable
 * ({@code visibleLsn}), so nothing outside sees what a power loss could take back. {@link #open}
 * rolls back a transaction without an End record and rebuilds the reply cache from End records.
 *
 * <p>Unstable transactions (design.md §2.1): one whose every mutating command is an unstable
 * WRITE (and that holds no COMMIT or SYNC) is committed without forcing anything: its undo and
 * End records are appended unforced and its files are not forced. It is still atomic against a
 * crash of the process (the page cache keeps the journal, and recovery replays it). Its paths
 * go into {@link UnstableWrites}; COMMIT of a path forces the journal and the file and takes the
 * path out; a path not in the set (this process never wrote it unstably, or it restarted since)
 * is UNSTABLE_LOST. Exception: a transaction that made an undo side file is forced as a stable
 * one, since the side file is purged once its End record is written. Any forced append (a
 * stable transaction) makes earlier unforced records durable too.
 */
public final class TransactionManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionManager.class);
    /** The journal is compacted (to the reply cache alone) when it grows past this. */
    static final long COMPACT_BYTES = 8 << 20;

    private final StoreSettings settings;
    private final LocalStore store;
    private final Journal journal;
    private final ReplyCache cache;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private final LockGuard locks;
    private final LockFile lockFile;
    private final LongSupplier clock;
    private final org.pohmelfs.node.store.ResyncOps resync;
    private final RecentStamps recent = new RecentStamps(10_000, System::currentTimeMillis);
    private final UnstableWrites unstable = new UnstableWrites();
    /** This process's mark on files it writes unstably (never 0), so a later process knows them. */
    private final long incarnation = randomNonZero();
    private long nextSeq = 1;
    private volatile String broken;
    /**
     * The journal LSN up to which a reply may reveal state (group commit): the End record of the
     * last committed stable transaction. A reply produced after it ran waits until the journal
     * is durable up to here, so no one outside sees a change a power loss could still take back.
     * Written under the write lock.
     */
    private volatile long visibleLsn;

    private TransactionManager(StoreSettings settings, LocalStore store, Journal journal, ReplyCache cache,
                               LockGuard locks, LockFile lockFile, LongSupplier clock) {
        this.settings = settings;
        this.store = store;
        this.journal = journal;
        this.cache = cache;
        this.locks = locks;
        this.lockFile = lockFile;
        this.clock = clock;
        this.resync = store.resyncOps(lock.writeLock());
    }

    /**
     * The resync's view of the export: conditional installs and deletes that take this manager's
     * write lock, so they never interleave with a live transaction (design.md §5).
     */
    public org.pohmelfs.node.store.ResyncOps resync() {
        return resync;
    }

    /** Stamps of transactions committed here in the last 10 s (a resync leaves their objects alone). */
    public RecentStamps recentStamps() {
        return recent;
    }

    /** Opens the export, rolls back an interrupted transaction and rebuilds the reply cache. */
    public static TransactionManager open(StoreSettings settings) throws IOException {
        return open(settings, System::currentTimeMillis, DavLockTable.DEFAULT_MAX_TIMEOUT_SECONDS);
    }

    /**
     * As {@link #open(StoreSettings)}, with the clock that times WebDAV locks (epoch
     * milliseconds) and their longest lifetime. Saved locks are loaded from the state folder.
     */
    public static TransactionManager open(StoreSettings settings, LongSupplier clock, int maxLockSeconds)
            throws IOException {
        LocalStore store = LocalStore.open(settings);
        try {
            Path file = store.stateDir().resolve("journal");
            ReplyCache cache = new ReplyCache(settings.replyCacheEntries());
            recover(store, Journal.read(file), cache);
            Journal journal = Journal.rewrite(file, endRecords(cache));
            LockFile lockFile = new LockFile(store.stateDir().resolve("davlocks"), settings.fsync());
            DavLockTable table = new DavLockTable(maxLockSeconds, () -> "opaquelocktoken:" + UUID.randomUUID());
            table.restore(lockFile.read());
            store.start();
            return new TransactionManager(settings, store, journal, cache, new LockGuard(table), lockFile, clock);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static void recover(LocalStore store, List<JournalRecord> records, ReplyCache cache) throws IOException {
        Map<Long, List<UndoRecord>> open = new LinkedHashMap<>();
        for (JournalRecord r : records) {
            switch (r) {
                case JournalRecord.Begin b -> open.put(b.seq(), new ArrayList<>());
                case JournalRecord.Undo u -> open.computeIfAbsent(u.seq(), s -> new ArrayList<>()).add(u.undo());
                case JournalRecord.End e -> {
                    open.remove(e.seq());
                    cache.put(e.key(), ReplyCodec.decode(e.key().txid(), e.reply()));
                }
            }
        }
        List<Long> seqs = new ArrayList<>(open.keySet());
        for (int i = seqs.size() - 1; i >= 0; i--) {
            List<UndoRecord> undo = open.get(seqs.get(i));
            log.info("rolling back interrupted transaction ({} undo records)", undo.size());
            if (store.rollback(undo) > 0) {
                throw new IOException("could not roll back an interrupted transaction; see the log");
            }
        }
    }

    private static List<JournalRecord> endRecords(ReplyCache cache) {
        List<JournalRecord> out = new ArrayList<>();
        for (Map.Entry<ReplyKey, Message.Reply> e : cache.entries()) {
            out.add(new JournalRecord.End(0, e.getValue().ok(), e.getKey(), ReplyCodec.encode(e.getValue().results())));
        }
        return out;
    }

    /** Whether this node takes WRITE_UNSTABLE as such (the {@code unstable} feature). */
    public boolean unstableWrites() {
        return settings.unstableWrites();
    }

    /** Whether the journal holds records appended without a force (tests). */
    boolean journalUnforced() {
        lock.readLock().lock();
        try {
            return journal.hasUnforced();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The journal file's offset up to which it is durable (tests; compaction moves it back). */
    long durableJournalBytes() {
        return journal.durableBytes();
    }

    /** How many times the journal file was forced since open (tests). */
    long journalForces() {
        return journal.forces();
    }

    /** How many paths hold unstable writes not committed yet (tests, metrics). */
    public int unstablePaths() {
        return unstable.size();
    }

    /** Sets the bound of the set of unstable writes (tests; {@link UnstableWrites#MAX_PATHS} by default). */
    void limitUnstablePaths(int max) {
        unstable.limit(max);
    }

    /**
     * What a transaction does to the set of unstable writes once it is decided: paths whose
     * COMMIT passed, paths deleted or renamed. Applied only when the whole request succeeded.
     */
    private record Effects(List<String> committed, List<String> forgotten, List<String> removed) {
        Effects() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }

        void applyTo(UnstableWrites set) {
            forgotten.forEach(set::forgetTree);
            committed.forEach(set::committed);
        }
    }

    /**
     * A decided transaction whose reply waits for durability (group commit): its own files to
     * force ({@code forces}), the journal LSN that must be durable before {@code reply} leaves
     * ({@code lsn}; 0: none), and the scope to finish once it is ({@code tx}, or null).
     */
    private record Decided(Message.Reply reply, List<PendingForce> forces, long lsn, TxScope tx) {
        static Decided now(Message.Reply reply, long lsn) {
            return new Decided(reply, List.of(), lsn, null);
        }
    }

    /**
     * Thread-safe, blocking (callers run it on virtual threads). Returns only once what the
     * reply shows is durable (group commit, design.md §2.2): a stable transaction's End record
     * and files, and for any reply every stable transaction applied before it ran.
     */
    public Message.Reply apply(String peerId, long incarnation, Message.Request request) {
        return applyTracked(peerId, incarnation, request).reply();
    }

    /** A transaction's reply, and whether it came from the reply cache (a resend: nothing ran). */
    public record Applied(Message.Reply reply, boolean cached) {
    }

    /** As {@link #apply}, telling whether the reply came from the reply cache. */
    public Applied applyTracked(String peerId, long incarnation, Message.Request request) {
        Decided d;
        boolean resend = false;
        if (!request.mutates()) {
            lock.readLock().lock();
            try {
                Effects effects = new Effects();
                Message.Reply reply = run(request, null, effects);
                if (reply.ok()) {
                    effects.applyTo(unstable);
                }
                d = Decided.now(reply, visibleLsn);
            } finally {
                lock.readLock().unlock();
            }
        } else {
            lock.writeLock().lock();
            try {
                ReplyKey key = new ReplyKey(peerId, incarnation, request.txid());
                Message.Reply cached = cache.get(key);
                if (cached != null) {
                    log.debug("resend of {} answered from the reply cache", key);
                    // Its End may not be durable yet: wait for everything appended so far.
                    d = Decided.now(cached, journal.appendedLsn());
                    resend = true;
                } else if (broken != null) {
                    return new Applied(failed(request, 0, new Result.Error(ErrorCode.IO_ERROR,
                            "the node's journal failed; restart needed")), false);
                } else {
                    d = applyMutation(key, request, unstablePlan(request));
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
        return new Applied(durable(request, d), resend);
    }

    /**
     * Outside the lock: forces the transaction's own files (in parallel with other transactions
     * doing the same), waits until the journal is durable up to its LSN (sharing the force with
     * every other waiter), then lets its trash and side files go.
     */
    private Message.Reply durable(Message.Request request, Decided d) {
        if (settings.fsync() && d.lsn() > 0) {
            try {
                for (PendingForce f : d.forces()) {
                    f.force();
                }
                journal.sync(d.lsn());
            } catch (IOException e) {
                broken = "journal force failed";
                log.error("group commit: a force failed; refusing changes until restart", e);
                // Side files stay: a restart's recovery may still need them.
                return failed(request, 0, new Result.Error(ErrorCode.IO_ERROR,
                        "could not make the change durable (outcome unknown): " + e.getMessage()));
            }
        }
        if (d.tx() != null) {
            store.finish(d.tx());
        }
        return d.reply();
    }

    private static long randomNonZero() {
        long v;
        do {
            v = new java.security.SecureRandom().nextLong();
        } while (v == 0);
        return v;
    }

    /**
     * An unstable transaction's writes: their canonical paths, and those of them this process
     * has not written unstably yet ({@code first}). A transaction with a first path is forced
     * like a stable one (once per file and process), with each first file's marker set before
     * the file is forced; later ones run unforced.
     */
    private record Plan(List<String> paths, List<String> first) {
    }

    /**
     * The plan of a transaction that may run unstable: every mutating command is an unstable
     * WRITE, no COMMIT or SYNC rides along (they promise durability at the reply), and the set
     * has room, or can be given room ({@link #makeRoom}); otherwise null (a stable transaction).
     */
    private Plan unstablePlan(Message.Request request) {
        if (!settings.unstableWrites()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Command c : request.commands()) {
            if (c instanceof Command.Write w && w.unstable()) {
                String p = UnstableWrites.canonical(w.path());
                if (p == null) {
                    return null;
                }
                out.add(p);
            } else if (c.mutates() || c instanceof Command.Commit || c instanceof Command.Sync) {
                return null;
            }
        }
        if (out.isEmpty() || !unstable.admits(out) && !makeRoom(out)) {
            return null;
        }
        return new Plan(out, out.stream().distinct().filter(p -> unstable.pending(p) == null).toList());
    }

    /**
     * Makes room in the full set of unstable writes for {@code paths} (design.md §2.1): forces the
     * journal, then the files (and folders, where the unstable writes created the file) of the
     * least recently written paths, which stay in the set as forced, so that a later COMMIT of
     * them still passes. Their files keep this process's marker. False when a force fails; the
     * transaction then runs stable, as it did before eviction existed.
     */
    private boolean makeRoom(List<String> paths) {
        List<UnstableWrites.Victim> victims = unstable.makeRoom(paths);
        if (!victims.isEmpty()) {
            try {
                forceJournal();
            } catch (IOException e) {
                log.warn("forcing the journal to make room among unstable writes failed", e);
                return false;
            }
        }
        for (UnstableWrites.Victim v : victims) {
            Result forced = store.forceFile(v.path(), v.folder());
            if (forced instanceof Result.Error e && e.code() == ErrorCode.NOT_FOUND) {
                unstable.forgetTree(v.path()); // removed behind the node's back: nothing to commit
            } else if (forced instanceof Result.Error e) {
                log.warn("forcing {} to make room among unstable writes failed: {}", v.path(), e.message());
                return false;
            } else {
                unstable.forced(v.path());
            }
        }
        return unstable.admits(paths);
    }

    /**
     * COMMIT: UNSTABLE_LOST unless the path holds unstable writes of this process; else the
     * journal (if it has unforced records) and the file are forced. With unstable writes off,
     * every write was durable already and COMMIT is SYNC. The path leaves the set once the
     * request succeeds ({@code effects}).
     */
    private Result commit(Command.Commit c, Effects effects) {
        String p = UnstableWrites.canonical(c.path());
        Boolean folder = p == null ? Boolean.FALSE : unstable.pending(p);
        if (p != null && settings.unstableWrites() && (folder == null || unstable.isLost(p))) {
            return new Result.Error(ErrorCode.UNSTABLE_LOST, "no unstable writes to " + p + " in this node's "
                    + "incarnation (it restarted since they were made, or they were committed already): write again");
        }
        try {
            forceJournal();
        } catch (java.io.IOException e) {
            log.warn("forcing the journal for a COMMIT of {} failed", c.path(), e);
            return new Result.Error(ErrorCode.IO_ERROR, "could not force the journal: " + e.getMessage());
        }
        Result forced = store.forceFile(c.path(), folder != null && folder);
        if (forced instanceof Result.Error) {
            return forced;
        }
        if (p != null && folder != null) {
            try {
                // Unforced: if a power loss keeps the marker, a later unstable write is refused at
                // its COMMIT (a retry), never wrongly vouched for.
                store.setUnstableMarker(p, 0);
            } catch (java.io.IOException e) {
                log.debug("clearing the unstable marker of {} failed", p, e);
            }
        }
        if (p != null) {
            effects.committed().add(p);
        }
        return new Result.Ok();
    }

    /**
     * Makes every journal record appended so far durable (unstable transactions' records, and
     * stable ones whose shared force has not run yet, with their files); no-op without fsync.
     */
    private void forceJournal() throws java.io.IOException {
        if (settings.fsync()) {
            journal.syncAll();
        }
    }

    private Message.Reply run(Message.Request request, TxScope tx, Effects effects) {
        List<Result> results = new ArrayList<>();
        long now = clock.getAsLong();
        DavLockTable.Held held = DavLockTable.Held.NONE;
        for (int i = 0; i < request.commands().size(); i++) {
            Command c = request.commands().get(i);
            if (c instanceof Command.Tokens t) {
                held = new DavLockTable.Held(t.principal(), new HashSet<>(t.tokens()));
            }
            if (c.mutates() && settings.readOnly()) {
                return failed(request, i, new Result.Error(ErrorCode.READ_ONLY, "the node is read-only"));
            }
            Result r = locks.before(c, held, now, this::exists);
            if (r == null && c instanceof Command.Commit k) {
                r = commit(k, effects);
            } else if (r == null) {
                if (c instanceof Command.Sync) {
                    // SYNC: what was written so far is durable, unstable transactions' records included.
                    try {
                        forceJournal();
                    } catch (java.io.IOException e) {
                        return failed(request, i, new Result.Error(ErrorCode.IO_ERROR, "journal force failed"));
                    }
                }
                r = store.execute(c, tx);
                if (!(r instanceof Result.Error)) {
                    locks.after(c);
                    forget(c, effects);
                }
            }
            if (r instanceof Result.Error e) {
                return failed(request, i, e);
            }
            results.add(r);
        }
        return new Message.Reply(request.txid(), results);
    }

    /**
     * A DELETE or RENAME takes the unstable writes of what it removes or replaces out of the set,
     * and what it removes is remembered as recently removed (for a resync pass, {@link RecentStamps}).
     */
    private static void forget(Command c, Effects effects) {
        switch (c) {
            case Command.Delete d -> {
                addCanonical(effects.forgotten(), d.path());
                addCanonical(effects.removed(), d.path());
            }
            case Command.Rename r -> {
                addCanonical(effects.forgotten(), r.from());
                addCanonical(effects.forgotten(), r.to());
                addCanonical(effects.removed(), r.from());
            }
            default -> { }
        }
    }

    private static void addCanonical(List<String> to, String path) {
        String p = UnstableWrites.canonical(path);
        if (p != null) {
            to.add(p);
        }
    }

    private boolean exists(String path) {
        return store.execute(new Command.Stat(path), null) instanceof Result.Attrs;
    }

    /** @param plan an unstable transaction's writes, or null for a stable one */
    private Decided applyMutation(ReplyKey key, Message.Request request, Plan plan) {
        long seq = nextSeq++;
        boolean forceAlways = plan == null || !plan.first().isEmpty();
        // A first path whose file carries another process's marker holds unstable writes that a
        // power loss may have taken: its COMMIT must fail, whatever this process writes to it.
        java.util.Set<String> foreign = new java.util.HashSet<>();
        if (plan != null) {
            for (String p : plan.first()) {
                try {
                    long m = store.unstableMarker(p);
                    if (m != 0 && m != incarnation) {
                        foreign.add(p);
                    }
                } catch (IOException e) {
                    foreign.add(p);
                }
            }
        }
        // The Begin record goes out with the first batch of undo records (one write and one
        // force instead of two writes); a transaction that changes nothing journals only its End.
        boolean[] begun = {false};
        TxScope[] scope = {null};
        TxScope tx = store.newScope(undo -> {
            List<JournalRecord> records = new ArrayList<>(undo.size() + 1);
            if (!begun[0]) {
                records.add(new JournalRecord.Begin(seq, key));
            }
            for (UndoRecord u : undo) {
                records.add(new JournalRecord.Undo(seq, u));
            }
            // An unstable transaction's undo records are forced only when they name a side file.
            journal.append(records, settings.fsync() && (forceAlways || scope[0].hasSideFiles()));
            begun[0] = true;
        }, TxStamp.of(key.peerId(), key.incarnation(), key.txid()));
        scope[0] = tx;
        List<org.pohmelfs.protocol.DavLock> locksBefore = locks.table().all();
        Effects effects = new Effects();
        Message.Reply reply = run(request, tx, effects);
        boolean committed = reply.ok();
        boolean force = forceAlways || tx.hasSideFiles();
        List<PendingForce> forces = List.of();
        if (committed) {
            try {
                if (plan != null) {
                    for (String p : plan.first()) {
                        if (!foreign.contains(p)) {
                            store.setUnstableMarker(p, incarnation); // forced with the file just below
                        }
                    }
                }
                forces = store.commitDeferred(tx, force);
            } catch (IOException e) {
                log.error("forcing a transaction's files failed; rolling it back", e);
                reply = failed(request, 0, new Result.Error(ErrorCode.IO_ERROR, "could not make the change durable"));
                committed = false;
            }
        }
        if (!committed) {
            locks.table().restore(locksBefore);
        }
        if (!committed && store.rollback(tx) > 0) {
            broken = "rollback failed";
            log.error("a transaction could not be rolled back; refusing changes until restart");
            return Decided.now(reply, journal.appendedLsn());
        }
        // Group commit: the End record is appended unforced; the caller forces this
        // transaction's files and then the journal up to it, outside the write lock, sharing the
        // journal force with every transaction appended meanwhile (design.md §2.2). The journal
        // forces the files of every End before any force that covers it (also when another
        // transaction's force covers it first), so an End is never durable without its data.
        long lsn;
        try {
            lsn = journal.append(List.of(new JournalRecord.End(seq, committed, key, ReplyCodec.encode(reply.results()))),
                    forces);
        } catch (IOException e) {
            log.error("journal append of a decision failed; refusing changes until restart", e);
            broken = "journal write failed";
            forces.forEach(PendingForce::discard); // never registered with the journal
            if (committed) {
                store.rollback(tx);
                locks.table().restore(locksBefore);
                return Decided.now(failed(request, 0, new Result.Error(ErrorCode.IO_ERROR, "journal write failed")),
                        journal.appendedLsn());
            }
            return Decided.now(reply, journal.appendedLsn());
        }
        boolean stable = settings.fsync() && force;
        if (committed && stable) {
            visibleLsn = lsn;
        }
        // The lock file is written once the decision is journalled, so the file never keeps a
        // lock of a transaction that recovery rolls back. A crash just between the two loses
        // the lock change; a resend of that LOCK is then answered from the reply cache with
        // a lock the node no longer holds (the client's next If with it gets 412).
        if (committed && !locks.table().all().equals(locksBefore)) {
            try {
                if (stable) {
                    journal.sync(lsn); // the lock file never runs ahead of a durable decision
                }
                saveLocks();
            } catch (IOException e) {
                broken = "journal force failed";
                log.error("forcing a lock change failed; refusing changes until restart", e);
                return Decided.now(failed(request, 0, new Result.Error(ErrorCode.IO_ERROR,
                        "could not make the change durable (outcome unknown)")), 0);
            }
        }
        if (committed) {
            recent.committed(tx.stamp());
            // What it removed is not made again by a resync pass before the source has it too (design.md §5).
            effects.removed().forEach(recent::removed);
            effects.applyTo(unstable);
            if (plan != null) {
                // Also when forced: a COMMIT of the path must still pass.
                boolean folders = tx.changedFolders();
                for (String p : plan.paths()) {
                    if (foreign.contains(p)) {
                        unstable.lost(p);
                    } else if (!unstable.isLost(p)) {
                        unstable.written(p, folders);
                    }
                }
            }
        }
        cache.put(key, reply);
        if (compactIfLarge()) {
            store.finish(tx); // everything is durable already
            return Decided.now(reply, 0);
        }
        // An unstable transaction's reply waits only for the stable ones before it.
        return new Decided(reply, forces, stable ? lsn : visibleLsn, tx);
    }

    /**
     * Writes the lock table after a committed change. A failure is logged and the locks stay in
     * memory: they are enforced until the node restarts, and lost then (RFC 4918 allows a
     * server to drop locks).
     */
    private void saveLocks() {
        try {
            lockFile.write(locks.table().all());
        } catch (IOException e) {
            log.error("saving the WebDAV locks failed; they hold until the node restarts", e);
        }
    }

    /** Returns whether it compacted (everything appended was made durable first). */
    private boolean compactIfLarge() {
        if (journal.size() < COMPACT_BYTES) {
            return false;
        }
        try {
            // The copy holds the reply cache, so every End in it must be durable with its files.
            journal.syncAll();
            journal.compact(endRecords(cache));
            nextSeq = 1;
            return true;
        } catch (IOException e) {
            broken = "journal compaction failed";
            log.error("journal compaction failed; refusing changes until restart", e);
            return false;
        }
    }

    /** The reply of a failed transaction: {@code error} at {@code index}, ABORTED everywhere else. */
    static Message.Reply failed(Message.Request request, int index, Result.Error error) {
        List<Command> commands = request.commands();
        List<Result> results = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            results.add(i == index ? error
                    : new Result.Error(ErrorCode.ABORTED, "transaction rolled back: command " + index + " failed"));
        }
        return new Message.Reply(request.txid(), results);
    }

    public NodeInfo info() {
        return store.info();
    }

    /** Waits until background trash removal submitted so far is done (tests, tools). */
    public void awaitBackgroundWork() {
        store.awaitPurges();
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            journal.close();
        } catch (IOException e) {
            log.warn("closing the journal failed", e);
        } finally {
            store.close();
            lock.writeLock().unlock();
        }
    }
}
