package org.pohmelfs.node.resync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.HashSet;
import java.util.TreeMap;
import java.util.function.Consumer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.FileType;

/**
 * {@link ResyncPass} against in-memory replicas that apply rule-B transactions (§4.5): a file
 * written gets version s, every ancestor gets version + s. Live writes go to both replicas, but
 * each side applies them at its own random moments between the pass's reads and installs, and
 * the local side may fail them (missing parent), as a RESYNCING node does; a write that reaches
 * the local side after a copy already contained it is applied again there (the double apply the
 * passes must repair). The property: once live writes stop and are delivered, passes repeated
 * until two are quiet leave the local tree equal to the source's (every path, type, version,
 * content, mode and xattr).
 */
class ResyncPassTest {
    /** The seed-replay trace (RESYNC_TRACE); logback-test.xml lets this logger through at INFO. */
    private static final org.slf4j.Logger TRACE_LOG = org.slf4j.LoggerFactory.getLogger(ResyncPassTest.class);


    /** The model is one shared state: the pass copies files on other threads. */
    static final Object MODEL = new Object();

    /** One object of the model. */
    record Obj(boolean dir, long version, String content, int mode, Map<String, String> xattrs) {
    }

    /** A replica: path to object; "/" is the root directory. */
    static final class Mem implements Replica {
        final TreeMap<String, Obj> objects = new TreeMap<>();
        Runnable hook = () -> { };

        Mem(long rootVersion) {
            objects.put("/", new Obj(true, rootVersion, "", 0755, Map.of()));
        }

        @Override
        public Attr stat(String path) {
            synchronized (MODEL) {
                hook.run();
                return attr(objects.get(path));
            }
        }

        @Override
        public List<DirEntry> list(String path) {
            synchronized (MODEL) {
                return list0(path);
            }
        }

        private List<DirEntry> list0(String path) {
            hook.run();
            List<DirEntry> out = new ArrayList<>();
            Obj d = objects.get(path);
            if (d == null || !d.dir()) {
                return out;
            }
            for (var e : objects.entrySet()) {
                if (!e.getKey().equals("/") && parent(e.getKey()).equals(path)) {
                    out.add(new DirEntry(name(e.getKey()), attr(e.getValue())));
                }
            }
            return out;
        }

        @Override
        public Fingerprint fingerprint(String path) {
            synchronized (MODEL) {
                hook.run();
                Obj o = objects.get(path);
                if (o == null || o.dir()) {
                    return null;
                }
                fingerprints++;
                List<org.pohmelfs.protocol.Xattr> xattrs = new ArrayList<>();
                o.xattrs().forEach((k, v) -> xattrs.add(new org.pohmelfs.protocol.Xattr(k, utf8(v))));
                try {
                    return new Fingerprint(attr(o), java.nio.ByteBuffer.wrap(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(o.content().getBytes(java.nio.charset.StandardCharsets.UTF_8))), xattrs);
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        int fingerprints;

        static java.nio.ByteBuffer utf8(String s) {
            return java.nio.ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        static Attr attr(Obj o) {
            return o == null ? null : new Attr(o.dir() ? FileType.DIRECTORY : FileType.FILE,
                    o.dir() ? 0 : o.content().length(), 0, o.mode(), o.version());
        }

        long version(String p) {
            Obj o = objects.get(p);
            return o == null ? 0 : o.version();
        }

        /** A rule-B write transaction: false when it fails (parent missing or not a directory). */
        String label = "";
        static final boolean TRACE = System.getenv("RESYNC_TRACE") != null;

        boolean apply(Tx tx) {
            boolean ok = apply0(tx);
            if (TRACE) {
                TRACE_LOG.info("{} apply {} {} s={} -> {}", label, tx.kind(), tx.path(), tx.stamp(), ok);
            }
            return ok;
        }

        boolean apply0(Tx tx) {
            String parent = parent(tx.path());
            Obj pd = objects.get(parent);
            if (pd == null || !pd.dir()) {
                return false;
            }
            Obj cur = objects.get(tx.path());
            switch (tx.kind()) {
                case WRITE -> {
                    if (cur != null && cur.dir()) {
                        return false;
                    }
                    objects.put(tx.path(), new Obj(false, tx.stamp(), tx.content(), 0644, Map.of("k", tx.content())));
                }
                case MKDIR -> {
                    if (cur != null) {
                        return false;
                    }
                    objects.put(tx.path(), new Obj(true, tx.stamp(), "", 0755, Map.of()));
                }
                case DELETE -> {
                    if (cur == null || (cur.dir() && objects.keySet().stream().anyMatch(k -> parent(k).equals(tx.path())
                            && !k.equals("/")))) {
                        return false;
                    }
                    objects.remove(tx.path());
                }
            }
            for (String a = parent; ; a = parent(a)) {
                Obj o = objects.get(a);
                objects.put(a, new Obj(true, o.version() + tx.stamp(), "", o.mode(), o.xattrs()));
                if (a.equals("/")) {
                    break;
                }
            }
            return true;
        }
    }

    enum Kind { WRITE, MKDIR, DELETE }

    record Tx(Kind kind, String path, long stamp, String content) {
    }

    /** Copies from {@code source} into {@code local}, conditional on the local version. */
    record MemInstaller(Mem source, Mem local) implements Installer {
        @Override
        public long copyFile(String path, long expected) {
            synchronized (MODEL) {
                return copyFile0(path, expected);
            }
        }

        private long copyFile0(String path, long expected) {
            if (Mem.TRACE) {
                TRACE_LOG.info("copy {}", path);
            }
            Obj s = source.objects.get(path);
            source.hook.run();
            if (s == null || s.dir() || local.version(path) != expected || !parentIsDir(path)) {
                return SKIPPED;
            }
            removeTree(path);
            local.objects.put(path, s);
            return s.content().length();
        }

        @Override
        public boolean adjustDirectory(String path, long delta) {
            synchronized (MODEL) {
                if (Mem.TRACE) {
                    TRACE_LOG.info("adjust {} by {}", path, delta);
                }
                Obj s = source.objects.get(path);
                source.hook.run();
                Obj l = local.objects.get(path); // read and written with no live write between (the write lock)
                if (s == null || !s.dir() || l == null || !l.dir()) {
                    return false;
                }
                local.objects.put(path, new Obj(true, l.version() + delta, "", s.mode(), s.xattrs()));
                return true;
            }
        }

        @Override
        public boolean makeDirectory(String path, long expected, long version) {
            synchronized (MODEL) {
                Obj s = source.objects.get(path);
                source.hook.run();
                if (s == null || !s.dir() || local.version(path) != expected || !parentIsDir(path)) {
                    return false;
                }
                Obj l = local.objects.get(path);
                if (l != null && !l.dir()) {
                    local.objects.remove(path);
                }
                local.objects.put(path, new Obj(true, version, "", s.mode(), s.xattrs()));
                return true;
            }
        }

        @Override
        public boolean delete(String path, long expected) {
            synchronized (MODEL) {
                if (Mem.TRACE) {
                    TRACE_LOG.info("delete {}", path);
                }
                if (expected == 0 || local.version(path) != expected) {
                    return false;
                }
                removeTree(path);
                return true;
            }
        }

        @Override
        public void sync() {
            // Memory is durable enough; RecordingInstaller checks when a pass calls it.
        }

        private boolean parentIsDir(String path) {
            if (path.equals("/")) {
                return true;
            }
            Obj p = local.objects.get(parent(path));
            return p != null && p.dir();
        }

        private void removeTree(String path) {
            local.objects.keySet().removeIf(k -> k.equals(path) || k.startsWith(path + "/"));
        }
    }

    static String parent(String p) {
        int i = p.lastIndexOf('/');
        return i <= 0 ? "/" : p.substring(0, i);
    }

    static String name(String p) {
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** Stamps of live writes applied locally within the model's "recent" window. */
    static java.util.function.LongPredicate inFlight = v -> false;
    /** Paths live writes removed locally within the model's "recent" window (cleared by a settle). */
    static final Set<String> REMOVED = java.util.concurrent.ConcurrentHashMap.newKeySet(); // live writes land while a pass reads it

    static int passesUntilQuiet(Mem source, Mem local, Runnable between) throws Exception {
        Installer installer = new MemInstaller(source, local);
        Set<String> suspects = new HashSet<>();
        boolean quietOnce = false;
        for (int pass = 1; pass <= 50; pass++) {
            ResyncPass.Outcome o = ResyncPass.run(source, local, installer, between::run, ResyncPass.Listener.NONE, 1, suspects,
                    inFlight, REMOVED::contains, dir -> REMOVED.stream().anyMatch(r -> r.startsWith(dir.equals("/") ? "/"
                            : dir + "/") && !r.equals(dir)), false, new HashSet<>());
            if (Mem.TRACE) {
                TRACE_LOG.info("pass {} {} src={} loc={}", pass, o, source.objects.keySet(), local.objects.keySet());
            }
            if (o.quiet()) {
                if (quietOnce) {
                    return pass;
                }
                quietOnce = true;
                between.run();
            } else {
                quietOnce = false;
            }
        }
        throw new AssertionError("no two quiet passes in 50");
    }

    @Test
    void copiesWhatDiffersAndDeletesWhatTheSourceLacks() throws Exception {
        Set<String> suspects = new HashSet<>();
        Mem source = new Mem(7);
        Mem local = new Mem(7);
        List<Tx> common = List.of(new Tx(Kind.MKDIR, "/a", 11, ""), new Tx(Kind.WRITE, "/a/x", 12, "x1"),
                new Tx(Kind.WRITE, "/b", 13, "b"));
        common.forEach(t -> assertThat(source.apply(t) & local.apply(t)).isTrue());
        source.apply(new Tx(Kind.WRITE, "/a/x", 21, "x2"));
        source.apply(new Tx(Kind.MKDIR, "/c", 22, ""));
        source.apply(new Tx(Kind.WRITE, "/c/y", 23, "y"));
        local.apply(new Tx(Kind.DELETE, "/b", 31, ""));
        local.apply(new Tx(Kind.WRITE, "/z", 32, "stale"));

        ResyncPass.Outcome first = ResyncPass.run(source, local, new MemInstaller(source, local), () -> { },
                ResyncPass.Listener.NONE, 1, suspects, inFlight);

        assertThat(first.changed()).isEqualTo(8); // /a/x, /b, /c made, /c/y, /z deleted, then /c, /a and / fixed
        assertThat(first.bytes()).isEqualTo(4);
        assertThat(local.objects).isEqualTo(source.objects);
        assertThat(ResyncPass.run(source, local, new MemInstaller(source, local), () -> { },
                ResyncPass.Listener.NONE, 1, suspects, inFlight).quiet()).isTrue();
    }

    /** Two replicas in sync (rule B) with /a, /a/x, /a/d, /a/d/y and /b. */
    private static Mem[] inSync() {
        Mem source = new Mem(7);
        Mem local = new Mem(7);
        List<Tx> common = List.of(new Tx(Kind.MKDIR, "/a", 11, ""), new Tx(Kind.WRITE, "/a/x", 12, "x1"),
                new Tx(Kind.MKDIR, "/a/d", 13, ""), new Tx(Kind.WRITE, "/a/d/y", 14, "yy"),
                new Tx(Kind.WRITE, "/b", 15, "b"));
        common.forEach(t -> assertThat(source.apply(t) & local.apply(t)).isTrue());
        assertThat(local.objects).isEqualTo(source.objects);
        return new Mem[] {source, local};
    }

    /** Changes an object's content or xattrs in place, as an edit on the node's disk would: same version. */
    private static void damage(Mem m, String path, String content, Map<String, String> xattrs) {
        Obj o = m.objects.get(path);
        m.objects.put(path, new Obj(false, o.version(), content, o.mode(), xattrs));
    }

    private static ResyncPass.Outcome pass(Mem source, Mem local, boolean verify, Set<String> unverified) throws Exception {
        return ResyncPass.run(source, local, new MemInstaller(source, local), () -> { }, ResyncPass.Listener.NONE, 4,
                new HashSet<>(), inFlight, verify, unverified);
    }

    @Test
    void bytesAndXattrsChangedUnderAnEqualVersionAreRepairedByAVerifyPassAndIgnoredByANormalOne() throws Exception {
        Mem[] r = inSync();
        Mem source = r[0];
        Mem local = r[1];
        Map<String, Obj> before = new TreeMap<>(source.objects);
        damage(local, "/a/d/y", "yY", Map.of("k", "yy")); // bit rot: same size, same version
        damage(local, "/b", "b", Map.of("k", "b", "extra", "1")); // an xattr set outside the protocol
        damage(local, "/a/x", "x1 and more", Map.of("k", "x1")); // grew under the same version
        Map<String, Obj> damaged = new TreeMap<>(local.objects);

        ResyncPass.Outcome normal = pass(source, local, false, new HashSet<>());

        assertThat(normal.quiet()).isTrue();
        assertThat(local.objects).isEqualTo(damaged);
        assertThat(source.fingerprints + local.fingerprints).as("a normal pass reads no content").isZero();

        Set<String> unverified = new HashSet<>();
        ResyncPass.Outcome verify = pass(source, local, true, unverified);

        assertThat(verify.changed()).isEqualTo(3);
        assertThat(verify.bytes()).isEqualTo(2 + 1 + 2);
        assertThat(local.objects).isEqualTo(source.objects).isEqualTo(before);
        assertThat(unverified).isEmpty();
        // /a/x differed in size already in the listing: only /a/d/y and /b were fingerprinted, on each side
        assertThat(source.fingerprints).isEqualTo(2);
        assertThat(pass(source, local, true, unverified).quiet()).isTrue();
    }

    @Test
    void aVersionThatDiffersUnderEqualAncestorsIsFoundByAVerifyPassOnly() throws Exception {
        Mem[] r = inSync();
        Mem source = r[0];
        Mem local = r[1];
        // An older copy of /a/d/y restored from a backup, its old version xattr with it; folders untouched.
        local.objects.put("/a/d/y", new Obj(false, 5, "old", 0644, Map.of("k", "old")));

        assertThat(pass(source, local, false, new HashSet<>()).quiet()).isTrue();
        assertThat(local.objects.get("/a/d/y").content()).isEqualTo("old");

        ResyncPass.Outcome verify = pass(source, local, true, new HashSet<>());

        assertThat(verify.changed()).isEqualTo(1);
        assertThat(local.objects).isEqualTo(source.objects);
        assertThat(source.fingerprints).as("a version difference needs no checksum").isEqualTo(2);
    }

    @Test
    void aVerifyCopyIsConditionalOnTheLocalVersionItsFingerprintSaw() throws Exception {
        Mem[] r = inSync();
        Mem source = r[0];
        Mem local = r[1];
        damage(local, "/a/d/y", "yY", Map.of("k", "yy"));
        List<String> calls = new ArrayList<>();
        // A live write reaches only the local side after the fingerprints, before the copy.
        Installer installer = new RecordingInstaller(new MemInstaller(source, local), calls);
        ResyncPass.Outcome o = ResyncPass.run(source, local, installer,
                () -> assertThat(local.apply(new Tx(Kind.WRITE, "/a/d/y", 99, "live"))).isTrue(),
                ResyncPass.Listener.NONE, 1, new HashSet<>(), inFlight, true, new HashSet<>());

        assertThat(o.skipped()).isEqualTo(1);
        assertThat(o.changed()).isZero();
        assertThat(local.objects.get("/a/d/y").content()).as("the live write stays").isEqualTo("live");
        assertThat(calls).containsExactly("sync");
    }

    @Test
    void aFileWhoseVersionsPartBetweenWalkAndFingerprintIsFingerprintedAgainByTheNextPass() throws Exception {
        Mem[] r = inSync();
        Mem source = r[0];
        Mem local = r[1];
        damage(local, "/a/x", "X1", Map.of("k", "x1"));
        Tx live = new Tx(Kind.WRITE, "/a/x", 99, "x9");
        // The live write lands on the source after the walk, just before its fingerprint of /a/x.
        Replica racing = new Replica() {
            boolean landed;

            public Attr stat(String path) {
                return source.stat(path);
            }

            public List<DirEntry> list(String path) {
                return source.list(path);
            }

            public Fingerprint fingerprint(String path) {
                synchronized (MODEL) {
                    if (path.equals("/a/x") && !landed) {
                        landed = source.apply(live);
                    }
                    return source.fingerprint(path);
                }
            }
        };
        Set<String> unverified = new HashSet<>();
        ResyncPass.Outcome first = ResyncPass.run(racing, local, new MemInstaller(source, local), () -> { },
                ResyncPass.Listener.NONE, 4, new HashSet<>(), inFlight, true, unverified);

        assertThat(first.changed()).isZero();
        assertThat(unverified).containsExactly("/a/x");
        // The write reaches the local side; a partial write would leave the rot in bytes it did not touch.
        assertThat(local.apply(live)).isTrue();
        damage(local, "/a/x", "X9", Map.of("k", "x9"));

        ResyncPass.Outcome next = pass(source, local, false, unverified);

        assertThat(next.changed()).isEqualTo(1);
        assertThat(unverified).isEmpty();
        assertThat(local.objects).isEqualTo(source.objects);
    }

    /** Records what a pass asks of the installer, in order, and does it on the model. */
    record RecordingInstaller(MemInstaller model, List<String> calls) implements Installer {
        @Override
        public long copyFile(String path, long expected) {
            long n = model.copyFile(path, expected);
            record("copy " + path);
            return n;
        }

        @Override
        public boolean makeDirectory(String path, long expected, long version) {
            record("mkdir " + path);
            return model.makeDirectory(path, expected, version);
        }

        @Override
        public boolean adjustDirectory(String path, long delta) {
            record("adjust " + path);
            return model.adjustDirectory(path, delta);
        }

        @Override
        public boolean delete(String path, long expected) {
            record("delete " + path);
            return model.delete(path, expected);
        }

        @Override
        public void sync() {
            record("sync");
        }

        private void record(String call) {
            synchronized (calls) {
                calls.add(call);
            }
        }
    }

    @Test
    void syncsEverythingInstalledBeforeCorrectingAnyDirectory() throws Exception {
        Mem source = new Mem(7);
        Mem local = new Mem(7);
        source.apply(new Tx(Kind.MKDIR, "/a", 11, ""));
        source.apply(new Tx(Kind.MKDIR, "/a/b", 12, ""));
        for (int i = 0; i < 20; i++) {
            source.apply(new Tx(Kind.WRITE, "/a/b/f" + i, 100 + i, "content " + i));
            source.apply(new Tx(Kind.WRITE, "/a/g" + i, 200 + i, "g" + i));
        }
        local.apply(new Tx(Kind.WRITE, "/stale", 31, "stale"));
        List<String> calls = new ArrayList<>();

        ResyncPass.run(source, local, new RecordingInstaller(new MemInstaller(source, local), calls), () -> { },
                ResyncPass.Listener.NONE, 8, new HashSet<>(), inFlight);

        assertThat(local.objects).isEqualTo(source.objects);
        int sync = calls.indexOf("sync");
        assertThat(calls.stream().filter("sync"::equals)).hasSize(1);
        assertThat(calls.subList(0, sync)).hasSize(2 + 40 + 1).noneMatch(c -> c.startsWith("adjust"));
        assertThat(calls.subList(sync + 1, calls.size())).containsExactly("adjust /a/b", "adjust /a", "adjust /");
    }

    @Test
    void equalRootsCostOneStatPerSide() throws Exception {
        Set<String> suspects = new HashSet<>();
        Mem source = new Mem(5);
        Mem local = new Mem(5);
        int[] reads = new int[1];
        source.hook = () -> reads[0]++;
        local.hook = () -> reads[0]++;
        assertThat(ResyncPass.run(source, local, new MemInstaller(source, local), () -> { },
                ResyncPass.Listener.NONE, 1, suspects, inFlight).quiet()).isTrue();
        assertThat(reads[0]).isEqualTo(2);
    }

    /**
     * A live DELETE reached this node before the source: the pass sees the source's copy and
     * must not bring it back (the parent's version counts the DELETE on both sides once the
     * source applies it, so no later pass would look there). It waits instead: not quiet.
     */
    @Test
    void whatARecentLocalWriteRemovedIsNotMadeAgain() throws Exception {
        for (boolean rule : new boolean[] {true, false}) {
            Mem source = new Mem(1);
            Mem local = new Mem(1);
            for (Tx t : List.of(new Tx(Kind.MKDIR, "/b", 11, ""), new Tx(Kind.WRITE, "/b/z", 13, "c13"))) {
                source.apply(t);
                local.apply(t);
            }
            Tx delete = new Tx(Kind.DELETE, "/b/z", 17, "");
            assertThat(local.apply(delete)).isTrue();
            Set<String> removed = new HashSet<>(rule ? Set.of("/b/z") : Set.of());
            ResyncPass.Outcome o = ResyncPass.run(source, local, new MemInstaller(source, local), () -> { },
                    ResyncPass.Listener.NONE, 1, new HashSet<>(), v -> v == 17, removed::contains, false, new HashSet<>());
            assertThat(source.apply(delete)).isTrue();
            if (rule) {
                assertThat(o.quiet()).isFalse();
                assertThat(local.objects).isEqualTo(source.objects);
            } else {
                // what the rule prevents: /b/z back on this node alone (here /b's versions still differ, so
                // a later pass repairs it; the property below finds the orders in which they are equal)
                assertThat(local.objects).containsKey("/b/z");
                assertThat(source.objects).doesNotContainKey("/b/z");
            }
        }
    }

    /** Replays one seed of the property with a trace; skipped (not passed) unless RESYNC_TRACE names a seed. */
    @Test
    void traceOne() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Mem.TRACE, "set RESYNC_TRACE=<seed> to replay one seed");
        convergesUnderInterleavedLiveWrites(Long.parseLong(System.getenv("RESYNC_TRACE")));
    }

    /**
     * Until 2026-11-30 this found about 5 seeds in 1000 ending with an object on the local side
     * only, under parents whose versions matched: a live DELETE reached this node first, the
     * pass then copied the object from the source, which had not applied the DELETE yet, and the
     * copy brought it back without touching the parent's version (which already counted the
     * DELETE on both sides once the source applied it). The rule against it: nothing is made
     * again where a recent local live write removed something ({@code recentlyRemoved}).
     */
    @Property(tries = 10000)
    void convergesUnderInterleavedLiveWrites(@ForAll long seed) throws Exception {
        REMOVED.clear();
        Random random = new Random(seed);
        Mem source = new Mem(1);
        Mem local = new Mem(1);
        source.label = "SRC";
        local.label = "LOC";
        List<String> paths = List.of("/a", "/b", "/a/x", "/a/y", "/a/d", "/a/d/f", "/b/z", "/c");
        long[] stamps = {100};
        Consumer<Mem> history = m -> { };
        // Before the outage: both apply the same transactions; during it only the source does.
        for (int i = 0; i < 30; i++) {
            Tx tx = randomTx(random, paths, stamps);
            boolean both = i < 10;
            source.apply(tx);
            if (both) {
                local.apply(tx);
            }
        }
        // Live writes during resync: queued per side, delivered at random hook calls.
        Deque<Tx> toSource = new ArrayDeque<>();
        Deque<Tx> toLocal = new ArrayDeque<>();
        // Stamps applied locally since the last settle: the node's "recent" window (10 s there,
        // longer than any write stays in flight), which the settle outlasts.
        Set<Long> appliedLocally = new HashSet<>();
        int[] liveLeft = {40};
        Runnable deliver = () -> {
            if (liveLeft[0] > 0 && random.nextInt(4) == 0) {
                Tx tx = randomTx(random, paths, stamps);
                // the source (the authority) decides; a write it refuses never reaches a replica
                toSource.add(tx);
                toLocal.add(tx);
                liveLeft[0]--;
            }
            if (!toSource.isEmpty() && random.nextInt(3) == 0) {
                source.apply(toSource.poll());
            }
            if (!toLocal.isEmpty() && random.nextInt(3) == 0) {
                Tx tx = toLocal.poll();
                if (local.apply(tx) && tx.kind() == Kind.DELETE) {
                    REMOVED.add(tx.path());
                }
                appliedLocally.add(tx.stamp());
            }
        };
        source.hook = deliver;
        local.hook = deliver;
        inFlight = appliedLocally::contains;
        Runnable settle = () -> {
            // the settle time: every write in flight lands on both sides
            while (!toSource.isEmpty()) {
                source.apply(toSource.poll());
            }
            while (!toLocal.isEmpty()) {
                local.apply(toLocal.poll());
            }
            appliedLocally.clear();
            REMOVED.clear();
        };
        Runnable between = () -> {
            if (liveLeft[0] == 0) {
                settle.run();
            }
        };
        // Writes stop once the budget is spent; passes go on until two quiet ones.
        Runnable stopWrites = () -> {
        };
        int passes = passesUntilQuiet(source, local, () -> {
            between.run();
            stopWrites.run();
        });
        settle.run();
        source.hook = () -> { };
        local.hook = () -> { };
        if (!Objects.equals(local.objects, source.objects)) {
            // live writes still arrived after the last quiet pass only if the budget was not spent
            passesUntilQuiet(source, local, settle);
        }
        inFlight = v -> false;
        REMOVED.clear();
        assertThat(local.objects).as("after %d passes", passes).isEqualTo(source.objects);
    }

    private static Tx randomTx(Random random, List<String> paths, long[] stamps) {
        String p = paths.get(random.nextInt(paths.size()));
        Kind kind = Kind.values()[random.nextInt(3)];
        if (p.equals("/a") || p.equals("/b") || p.equals("/a/d")) {
            kind = random.nextBoolean() ? Kind.MKDIR : Kind.DELETE;
        }
        long s = stamp(++stamps[0]);
        return new Tx(kind, p, s, "c" + s);
    }

    /**
     * The stamp of the {@code n}th transaction: as unrelated to the others as the node's SHA-256
     * stamps are (TxStamp). A linear one ({@code n * 0x9E3779B97F4A7C15}, as this was) makes sums
     * collide whenever the indices' sums do ({@code s(i) + s(j) = s(k) + s(l)} when
     * {@code i + j = k + l}), so two directories with different subtrees got equal versions, which real stamps give with
     * probability 2^-64; the property then failed on the model, not on the pass (seed 2979857374,
     * a full run of 2026-11-30). SplitMix64's finalizer: a bijection, never 0 for n > 0.
     */
    static long stamp(long n) {
        long z = n * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
