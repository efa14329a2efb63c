package org.pohmelfs.node.resync;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.DirEntry;

/**
 * One pass of a resync (design.md §5): walks the source's tree against the local one, descending
 * only into directories whose versions differ (equal directory versions mean equal subtrees,
 * §4.5), and makes the local tree equal to what it saw.
 *
 * <p>How: (1) <em>walk</em>: breadth first from the root, listing each directory on both sides
 * whose versions differ; every name whose type or version differs becomes a candidate, every
 * differing directory present on both sides is fixed last. (2) <em>grace</em>: wait a moment,
 * so that live writes in flight to either side land. (3) <em>act</em>: per candidate, in walk
 * order (parents before children), stat both sides again and skip it if they agree now; else
 * delete it, make the directory, or copy the file (files in parallel), each conditional on the
 * local version just seen; a file the walk saw on the source is looked at again and copied on a
 * worker, {@code parallel} at once, so the round trips of many small files overlap. (4) <em>sync</em>:
 * {@link Installer#sync} makes all of that durable before any directory claims it. (5) <em>directories</em>, deepest first: set mode and xattrs to the
 * source's and add to the version the difference the walk saw (source minus local), unless
 * something at or below it could not be settled in this pass.
 *
 * <p>A <em>verify</em> pass (design.md §5, "Verify pass") also catches what changed without a
 * version change (bit rot, an edit on the node's disk outside the protocol): equal directory
 * versions do not prune its walk, and every file whose type and version agree on both sides is
 * still compared, by size and mode from the listings, then by {@link Replica#fingerprint} (SHA-256
 * of every byte, and client xattrs) on both sides, {@code parallel} files at once, after the walk.
 * A file whose fingerprints differ at equal versions becomes a candidate like any other, copied
 * on the same terms (conditional on the local version the fingerprint saw); one whose versions
 * parted between the walk and the fingerprint (a live write in flight) is left for the next pass,
 * verify or not, to fingerprint again ({@code unverified}).
 *
 * <p>A pass is <em>quiet</em> when it changed nothing and skipped nothing; the caller promotes
 * the node after two quiet passes a settle time apart. Pure apart from the two replicas and the
 * installer it is given, so it runs against in-memory trees in tests.
 */
public final class ResyncPass {

    /** What one pass did. */
    public record Outcome(int changed, long bytes, int skipped) {
        /** Nothing was found to differ (after the grace). */
        public boolean quiet() {
            return changed == 0 && skipped == 0;
        }
    }

    /** Hears what a pass plans and does (progress figures). */
    public interface Listener {
        void planned(long objects, long bytes);

        void done(long objects, long bytes);

        Listener NONE = new Listener() {
            public void planned(long objects, long bytes) { }
            public void done(long objects, long bytes) { }
        };
    }

    /** The grace between walking and acting. */
    @FunctionalInterface
    public interface Pause {
        void pause() throws InterruptedException;
    }

    private ResyncPass() {
    }

    /**
     * Runs one pass.
     *
     * @param suspects directories this resync has made or corrected so far: each pass checks them
     *                 again even under an ancestor that compares equal, since a live write in
     *                 flight while one was corrected may land twice there alone; the pass adds
     *                 those it makes or corrects (the caller keeps the set for the whole resync)
     * @param recentLocal whether a version is the stamp of a live write this node applied so
     *                 recently that the source may not have it yet: such objects are left alone
     *                 in this pass (undoing one would lose that write, whose stamp its ancestors
     *                 already hold)
     */
    public static Outcome run(Replica source, Replica local, Installer installer, Pause grace, Listener listener,
                              int parallel, Set<String> suspects, java.util.function.LongPredicate recentLocal)
            throws IOException, InterruptedException {
        return run(source, local, installer, grace, listener, parallel, suspects, recentLocal, false, new java.util.HashSet<>());
    }

    /**
     * Runs one pass, a verify pass when {@code verify} (see the class comment).
     *
     * @param unverified files a verify pass could not compare because a live write was changing
     *                   them: this pass fingerprints them again, verify or not, and leaves in the
     *                   set those it still cannot settle (the caller keeps it for the whole resync)
     */
    public static Outcome run(Replica source, Replica local, Installer installer, Pause grace, Listener listener,
                              int parallel, Set<String> suspects, java.util.function.LongPredicate recentLocal,
                              boolean verify, Set<String> unverified)
            throws IOException, InterruptedException {
        return run(source, local, installer, grace, listener, parallel, suspects, recentLocal, path -> false, verify,
                unverified);
    }

    /**
     * Runs one pass, a verify pass when {@code verify}.
     *
     * @param recentlyRemoved whether a live write removed a path (DELETE, or RENAME away) here so
     *                 recently that the source may not have applied it yet: nothing is made
     *                 again at such a path, or below it, in this pass (it would bring back what
     *                 that write removed, under a parent whose version already counts the
     *                 removal, so no later pass would look there again)
     */
    public static Outcome run(Replica source, Replica local, Installer installer, Pause grace, Listener listener,
                              int parallel, Set<String> suspects, java.util.function.LongPredicate recentLocal,
                              java.util.function.Predicate<String> recentlyRemoved, boolean verify, Set<String> unverified)
            throws IOException, InterruptedException {
        return run(source, local, installer, grace, listener, parallel, suspects, recentLocal, recentlyRemoved,
                dir -> false, verify, unverified);
    }

    /**
     * As above, with rule 2c's view of recent removals below a directory.
     *
     * @param removedBelow whether a live write removed something strictly below the directory
     *                 {@code dir} here so recently that the source may not have applied it yet: a
     *                 local directory that the source lacks is not deleted then (rule 2c)
     */
    public static Outcome run(Replica source, Replica local, Installer installer, Pause grace, Listener listener,
                              int parallel, Set<String> suspects, java.util.function.LongPredicate recentLocal,
                              java.util.function.Predicate<String> recentlyRemoved,
                              java.util.function.Predicate<String> removedBelow, boolean verify, Set<String> unverified)
            throws IOException, InterruptedException {
        List<String> candidates = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        // The source's version of each directory walked, seen before its entries were listed.
        Map<String, Long> seen = new HashMap<>();
        // The local version of each, seen just after (the base the directory phase corrects).
        Map<String, Long> base = new ConcurrentHashMap<>();
        Deque<String> walk = new ArrayDeque<>();
        List<String> starts = new ArrayList<>(suspects);
        starts.add("/");
        starts.sort(Comparator.comparingInt(ResyncPass::depth));
        for (String d : starts) {
            Attr a = source.stat(d);
            Attr b = local.stat(d);
            if (d.equals("/") && a == null) {
                throw new IOException("the source has no root");
            }
            if (a != null && b != null && a.isDirectory() && b.isDirectory() && !same(a, b) && !seen.containsKey(d)) {
                seen.put(d, a.version());
                base.put(d, b.version());
                dirs.add(d);
                walk.add(d);
            } else if (verify && a != null && b != null && a.isDirectory() && b.isDirectory()) {
                walk.add(d); // equal, but a verify pass looks below anyway
            }
        }
        if (walk.isEmpty() && unverified.isEmpty()) {
            return new Outcome(0, 0, 0);
        }
        Set<String> listed = new java.util.HashSet<>();
        // The local version of each candidate when the walk saw it (0: absent). Changes are
        // conditional on it, not on a later look: a live write that reached this node since may
        // not have reached the source yet, and must not be undone (its stamp is in the ancestors).
        Map<String, Long> walked = new HashMap<>();
        // Candidates the source had as a file when the walk saw them: looked at again and copied by a worker.
        Set<String> files = new java.util.HashSet<>();
        // Verify: files whose type and version agree, to be fingerprinted on both sides.
        Set<String> toVerify = new java.util.TreeSet<>(unverified);
        unverified.clear();
        // Candidates whose versions agree but whose content does not: the act step copies them anyway.
        Set<String> verified = ConcurrentHashMap.newKeySet();
        long plannedBytes = 0;
        while (!walk.isEmpty()) {
            String d = walk.poll();
            if (!listed.add(d)) {
                continue;
            }
            Map<String, Attr> s = byName(source.list(d));
            Map<String, Attr> l = byName(local.list(d));
            TreeMap<String, Boolean> names = new TreeMap<>();
            s.keySet().forEach(n -> names.put(n, true));
            l.keySet().forEach(n -> names.put(n, true));
            for (String name : names.keySet()) {
                Attr a = s.get(name);
                Attr b = l.get(name);
                if (same(a, b)) {
                    if (verify && a != null) {
                        String p = child(d, name);
                        if (a.isDirectory()) {
                            walk.add(p);
                        } else if (a.size() != b.size() || a.mode() != b.mode()) {
                            walked.put(p, b.version());
                            verified.add(p);
                            plannedBytes += a.size();
                            files.add(p);
                            candidates.add(p);
                        } else {
                            toVerify.add(p);
                        }
                    }
                    continue;
                }
                String p = child(d, name);
                walked.put(p, b == null ? 0 : b.version());
                if (a != null && a.isDirectory()) {
                    if (seen.containsKey(p)) {
                        continue; // a suspect walked on its own already
                    }
                    walk.add(p);
                    seen.put(p, a.version());
                    dirs.add(p);
                    if (b != null && b.isDirectory()) {
                        base.put(p, b.version());
                        continue;
                    }
                } else if (a != null) {
                    plannedBytes += a.size();
                    files.add(p);
                }
                candidates.add(p);
            }
        }
        toVerify.removeAll(files);
        for (Map.Entry<String, Long> e : differing(source, local, toVerify, parallel, unverified).entrySet()) {
            walked.put(e.getKey(), e.getValue());
            verified.add(e.getKey());
            files.add(e.getKey());
            candidates.add(e.getKey());
        }
        listener.planned(candidates.size() + dirs.size(), plannedBytes);
        grace.pause();

        AtomicInteger changed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        Set<String> unsettled = ConcurrentHashMap.newKeySet();
        AtomicLong bytes = new AtomicLong();
        List<Future<?>> copies = new ArrayList<>();
        Semaphore slots = new Semaphore(Math.max(1, parallel));
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String p : candidates) {
                long expected = walked.get(p);
                if (files.contains(p)) {
                    // A file on the source: the second look (a STAT on each side) and the copy run on a
                    // worker, so the round trips of many files overlap; parents were made before, inline.
                    slots.acquire();
                    copies.add(workers.submit(() -> {
                        try {
                            copyIfStillDifferent(source, local, installer, listener, recentLocal, recentlyRemoved,
                                    removedBelow, p,
                                    expected, changed,
                                    skipped, unsettled, bytes, verified.contains(p));
                            return null;
                        } finally {
                            slots.release();
                        }
                    }));
                    continue;
                }
                Attr a = source.stat(p);
                Attr b = local.stat(p);
                if (same(a, b)) {
                    listener.done(1, 0);
                    continue;
                }
                if ((b == null ? 0 : b.version()) != expected || (b != null && recentLocal.test(b.version()))
                        || (b == null && removedRecently(recentlyRemoved, p))) {
                    count(false, p, changed, skipped, unsettled); // a live write came: the next pass looks again
                    listener.done(1, 0);
                    continue;
                }
                if (a == null && b != null && b.isDirectory()
                        && (removedBelow.test(p) || holdsRecentWrite(local, p, recentLocal))) {
                    count(false, p, changed, skipped, unsettled); // rule 2c: the next pass looks again
                    listener.done(1, 0);
                } else if (a == null) {
                    count(installer.delete(p, expected), p, changed, skipped, unsettled);
                    listener.done(1, 0);
                } else if (a.isDirectory()) {
                    if (b == null || !b.isDirectory()) {
                        // Made before its entries, with a version that cannot match the source's
                        // until the directory phase sets it (after its entries are in place).
                        long placeholder = ~seen.getOrDefault(p, a.version());
                        base.put(p, placeholder);
                        count(installer.makeDirectory(p, expected, placeholder), p, changed, skipped, unsettled);
                        suspects.add(p);
                        if (!seen.containsKey(p)) {
                            unsettled.add(p); // became a directory after the walk: the next pass walks it
                        }
                    }
                    listener.done(1, 0);
                } else {
                    // Became a file after the walk (it saw a directory or nothing): the next pass copies it.
                    count(false, p, changed, skipped, unsettled);
                    listener.done(1, 0);
                }
            }
            for (Future<?> f : copies) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException("copy failed", e.getCause());
                }
            }
        }
        // Durable before any directory version claims it (design.md §5, "Durability of a resync").
        installer.sync();
        // Directories, deepest first: each is corrected by what the source had and it lacked
        // when the walk listed it (source version before its entries were listed, minus the local
        // one right after), so live writes applied locally since stay counted (rule B adds
        // stamps); only when nothing at or below it was left unsettled. An ancestor must never
        // claim a transaction whose effect is missing below it (§4.5: equal directory versions
        // mean equal subtrees); a correction measured while a live write was in flight to one
        // side leaves the versions apart, and the next pass walks there again.
        dirs.sort(Comparator.comparingInt(ResyncPass::depth).reversed());
        for (String p : dirs) {
            listener.done(1, 0);
            if (unsettledAtOrBelow(p, unsettled)) {
                unsettled.add(p);
                continue;
            }
            Attr a = source.stat(p);
            Attr b = local.stat(p);
            if (same(a, b)) {
                continue;
            }
            // Rule 2d: not when a live write removed it (or an ancestor) lately. The directory here now
            // may be another one, made again by a live MKDIR after the walk: the difference measured
            // on its predecessor does not apply to it, and added to the new one's fresh version it
            // hid that version from rule 2, so a later pass deleted it as the source's DELETE
            // landed, before the source's MKDIR came (found by the live-write property, 2026-11-30).
            if (a == null || b == null || !a.isDirectory() || !b.isDirectory() || !base.containsKey(p)
                    || removedRecently(recentlyRemoved, p)) {
                skipped.incrementAndGet();
                unsettled.add(p);
                continue;
            }
            count(installer.adjustDirectory(p, seen.get(p) - base.get(p)), p, changed, skipped, unsettled);
            suspects.add(p);
        }
        return new Outcome(changed.get(), bytes.get(), skipped.get());
    }

    /**
     * Rule 2c (design.md §5): whether anything below the local directory {@code p} carries the
     * stamp of a live write this node applied recently. Rule 2 looks at the object's own version,
     * and a directory's is a sum: a live MKDIR of {@code p} followed by a live write into it leaves
     * {@code p} at the sum of two stamps, neither of them recent by itself. A pass whose walk saw
     * {@code p} here and not yet on the source (which had not applied the MKDIR) then deleted it,
     * the recent write below with it; once the source applied both, the ancestors' versions agreed
     * again over a subtree this node no longer had (found by the live-write property, 2026-11-30).
     * Lists the subtree that would be deleted, so it costs what the delete would. The other half of
     * the rule, a recent removal below {@code p} (MKDIR, WRITE into it, DELETE of that file: nothing
     * left carries a recent stamp), is the caller's {@code removedBelow}.
     */
    static boolean holdsRecentWrite(Replica local, String p, java.util.function.LongPredicate recentLocal)
            throws IOException {
        Deque<String> dirs = new ArrayDeque<>(List.of(p));
        while (!dirs.isEmpty()) {
            String d = dirs.poll();
            for (DirEntry e : local.list(d)) {
                if (recentLocal.test(e.attr().version())) {
                    return true;
                }
                if (e.attr().isDirectory()) {
                    dirs.add(child(d, e.name()));
                }
            }
        }
        return false;
    }

    /** Whether a live write removed {@code p} or one of its ancestors here within the recent window. */
    static boolean removedRecently(java.util.function.Predicate<String> recentlyRemoved, String p) {
        for (String x = p; ; x = x.substring(0, Math.max(1, x.lastIndexOf('/')))) {
            if (recentlyRemoved.test(x)) {
                return true;
            }
            if (x.equals("/")) {
                return false;
            }
        }
    }

    /** The act step for a candidate the walk saw as a file on the source; runs on a worker. */
    private static void copyIfStillDifferent(Replica source, Replica local, Installer installer, Listener listener,
                                             java.util.function.LongPredicate recentLocal,
                                             java.util.function.Predicate<String> recentlyRemoved,
                                             java.util.function.Predicate<String> removedBelow, String p, long expected,
                                             AtomicInteger changed, AtomicInteger skipped, Set<String> unsettled,
                                             AtomicLong bytes, boolean verified) throws IOException {
        Attr a = source.stat(p);
        Attr b = local.stat(p);
        if (same(a, b) && !verified) {
            listener.done(1, 0);
            return;
        }
        if ((b == null ? 0 : b.version()) != expected || (b != null && recentLocal.test(b.version()))
                || (b == null && a != null && removedRecently(recentlyRemoved, p))) {
            count(false, p, changed, skipped, unsettled); // a live write came: the next pass looks again
            listener.done(1, 0);
            return;
        }
        if (a == null && b != null && b.isDirectory()
                && (removedBelow.test(p) || holdsRecentWrite(local, p, recentLocal))) {
            count(false, p, changed, skipped, unsettled); // rule 2c: the next pass looks again
            listener.done(1, 0);
            return;
        }
        if (a == null) {
            count(installer.delete(p, expected), p, changed, skipped, unsettled);
            listener.done(1, 0);
            return;
        }
        if (a.isDirectory()) {
            // Became a directory after the walk: made (parents first) by the next pass's walk.
            count(false, p, changed, skipped, unsettled);
            listener.done(1, 0);
            return;
        }
        long n = installer.copyFile(p, expected);
        count(n != Installer.SKIPPED, p, changed, skipped, unsettled);
        if (n > 0) {
            bytes.addAndGet(n);
        }
        listener.done(1, Math.max(0, n));
    }

    /**
     * Fingerprints each file on both sides, {@code parallel} at once; answers those whose versions
     * agree and whose content does not, each with the local version seen (what a copy is
     * conditional on). A file whose versions differ now (a live write reached one side) goes into
     * {@code unverified}; one gone from either side is left to the walk of the next pass.
     */
    private static Map<String, Long> differing(Replica source, Replica local, Set<String> paths, int parallel,
                                               Set<String> unverified) throws IOException, InterruptedException {
        Map<String, Long> out = new java.util.concurrent.ConcurrentSkipListMap<>();
        if (paths.isEmpty()) {
            return out;
        }
        Set<String> moving = ConcurrentHashMap.newKeySet();
        Semaphore slots = new Semaphore(Math.max(1, parallel));
        List<Future<?>> checks = new ArrayList<>();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String p : paths) {
                slots.acquire();
                checks.add(workers.submit(() -> {
                    try {
                        Replica.Fingerprint s = source.fingerprint(p);
                        Replica.Fingerprint l = local.fingerprint(p);
                        if (s == null || l == null) {
                            return null;
                        }
                        if (s.attr().version() != l.attr().version()) {
                            moving.add(p);
                        } else if (!s.sameContent(l)) {
                            out.put(p, l.attr().version());
                        }
                        return null;
                    } finally {
                        slots.release();
                    }
                }));
            }
            for (Future<?> f : checks) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException("checksum failed", e.getCause());
                }
            }
        }
        unverified.addAll(moving);
        return out;
    }

    private static boolean unsettledAtOrBelow(String dir, Set<String> unsettled) {
        String prefix = dir.equals("/") ? "/" : dir + "/";
        for (String u : unsettled) {
            if (u.equals(dir) || u.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static void count(boolean done, String path, AtomicInteger changed, AtomicInteger skipped,
                              Set<String> unsettled) {
        if (done) {
            changed.incrementAndGet();
        } else {
            skipped.incrementAndGet();
            unsettled.add(path);
        }
    }

    /** Both absent, or both present with the same type and version. */
    static boolean same(Attr a, Attr b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.type() == b.type() && a.version() == b.version();
    }

    private static Map<String, Attr> byName(List<DirEntry> entries) {
        Map<String, Attr> m = new TreeMap<>();
        for (DirEntry e : entries) {
            m.put(e.name(), e.attr());
        }
        return m;
    }

    static String child(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    private static int depth(String p) {
        return p.equals("/") ? 0 : (int) p.chars().filter(c -> c == '/').count();
    }
}
