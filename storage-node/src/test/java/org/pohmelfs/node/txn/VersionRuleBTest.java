package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pohmelfs.node.txn.Fixture.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.node.store.TxStamp;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;

/**
 * Version rule B (design §4.5): a transaction's stamp is a hash of the triple that names it; files
 * it writes get the stamp, directories it touches and their ancestors advance by it once. Two
 * replicas that commit the same non-conflicting transactions in different orders agree.
 */
class VersionRuleBTest {
    private static final long ROOT = 0x1234_5678_9abc_def0L;

    /** One transaction as a replica receives it: who sent it and what it does. */
    record Tx(String peer, long incarnation, long txid, List<Command> commands) {
        Message.Request request() {
            return new Message.Request(txid, 0, commands);
        }
    }

    @Test
    void theStampIsAHashOfTheTransactionsNameAndNeverZero() {
        long s = TxStamp.of("gw1", 7, 1);
        assertThat(s).isNotZero().isEqualTo(TxStamp.of("gw1", 7, 1));
        assertThat(List.of(TxStamp.of("gw2", 7, 1), TxStamp.of("gw1", 8, 1), TxStamp.of("gw1", 7, 2)))
                .doesNotContain(s).doesNotHaveDuplicates();
        // The peer id is length-prefixed: "a" + incarnation bytes never reads as another peer id.
        assertThat(TxStamp.of("a", 0, 0)).isNotEqualTo(TxStamp.of("a\u0000", 0, 0));
        // First 8 bytes of SHA-256(00 03 "gw1" ‖ i64 7 ‖ u64 1), computed outside Java (Python hashlib):
        // the value is fixed by protocol §3.1, so every node, in any language, agrees.
        assertThat(Long.toHexString(s)).isEqualTo("d3567389cee636d8");
    }

    @Test
    void filesGetTheStampAndAncestorsAdvanceByItOncePerTransaction(@TempDir Path export) throws IOException {
        Fixture.seedRootVersion(export, ROOT);
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export).withFsync(false))) {
            Fixture fx = new Fixture(tm, "gw1", 99);
            fx.sendAs(1, new Command.Mkdir("/a/b", true, 0), write("/a/b/f", 0, "1"), write("/a/g", 0, "g"),
                    new Command.Mkdir("/other", false, 0));
            long s1 = fx.stampOf(1);
            Map<String, Long> v1 = Fixture.versions(export);
            assertThat(v1).containsEntry("/a", s1).containsEntry("/a/b", s1).containsEntry("/a/b/f", s1)
                    .containsEntry("/a/g", s1).containsEntry("/other", s1)
                    .as("the root existed: advanced once, though four commands touched below it")
                    .containsEntry("/", ROOT + s1);

            // Two writes below /a/b in one transaction: /a/b, /a and / advance once.
            fx.sendAs(2, write("/a/b/f", 0, "2"), write("/a/b/new", 0, "n"));
            long s2 = fx.stampOf(2);
            Map<String, Long> v2 = Fixture.versions(export);
            assertThat(v2).containsEntry("/a/b/f", s2).containsEntry("/a/b/new", s2)
                    .containsEntry("/a/b", s1 + s2).containsEntry("/a", s1 + s2).containsEntry("/", ROOT + s1 + s2)
                    .as("a sibling and an unrelated folder keep their versions")
                    .containsEntry("/a/g", s1).containsEntry("/other", s1);

            // A delete advances the parent chain; an attribute change on a folder advances it too.
            fx.sendAs(3, new Command.Delete("/a/b/f", false), new Command.XattrSet("/other", "k", Fixture.bytes("v")));
            long s3 = fx.stampOf(3);
            assertThat(Fixture.versions(export)).doesNotContainKey("/a/b/f").containsEntry("/a/b", s1 + s2 + s3)
                    .containsEntry("/a", s1 + s2 + s3).containsEntry("/other", s1 + s3).containsEntry("/", ROOT + s1 + s2 + s3);

            // A rename: the file gets the stamp, both parents (and their common ancestor once) advance.
            fx.sendAs(4, new Command.Rename("/a/g", "/other/g", false));
            long s4 = fx.stampOf(4);
            assertThat(Fixture.versions(export)).containsEntry("/other/g", s4).containsEntry("/a", s1 + s2 + s3 + s4)
                    .containsEntry("/other", s1 + s3 + s4).containsEntry("/", ROOT + s1 + s2 + s3 + s4);
            assertThat(fx.stat("/other/g").etag()).isEqualTo("\"f" + Long.toHexString(s4) + "\"");
        }
    }

    @Test
    void aResendAnsweredFromTheReplyCacheChangesNoVersion(@TempDir Path export) throws IOException {
        Fixture.seedRootVersion(export, ROOT);
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export).withFsync(false))) {
            Fixture fx = new Fixture(tm, "gw1", 5);
            Message.Reply first = fx.sendAs(1, new Command.Mkdir("/d", false, 0), write("/d/f", 0, "x"));
            Map<String, Long> before = Fixture.versions(export);
            assertThat(fx.sendAs(1, new Command.Mkdir("/d", false, 0), write("/d/f", 0, "x"))).isEqualTo(first);
            assertThat(Fixture.versions(export)).isEqualTo(before);
        }
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export).withFsync(false))) {
            Map<String, Long> before = Fixture.versions(export);
            new Fixture(tm, "gw1", 5).sendAs(1, new Command.Mkdir("/d", false, 0), write("/d/f", 0, "x"));
            assertThat(Fixture.versions(export)).as("after a restart, from the journal's reply cache").isEqualTo(before);
        }
    }

    @Test
    void aRolledBackTransactionLeavesEveryVersionAsItWas(@TempDir Path export) throws IOException {
        Fixture.seedRootVersion(export, ROOT);
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export).withFsync(false))) {
            Fixture fx = new Fixture(tm, "gw1", 5);
            fx.sendAs(1, new Command.Mkdir("/d/e", true, 0), write("/d/e/f", 0, "x"));
            Map<String, Long> before = Fixture.versions(export);
            assertThat(fx.sendAs(2, write("/d/e/f", 0, "y"), new Command.Mkdir("/d/new/deep", true, 0),
                    new Command.Delete("/missing", false)).ok()).isFalse();
            assertThat(Fixture.versions(export)).isEqualTo(before);
        }
    }

    @Test
    void twoReplicasAgreeWhateverTheOrder(@TempDir Path one, @TempDir Path two) throws IOException {
        List<Tx> setup = List.of(new Tx("gw0", 1, 1, List.of(new Command.Mkdir("/a/b", true, 0), new Command.Mkdir("/c", false, 0),
                write("/a/b/f", 0, "f"), write("/a/g", 0, "g"), write("/c/h", 0, "h"), write("/c/i", 0, "i"))));
        List<Tx> txs = List.of(
                new Tx("gw1", 11, 1, List.of(write("/a/b/f", 2, "x"))),
                new Tx("gw2", 22, 1, List.of(new Command.Mkdir("/a/new", false, 0), write("/a/new/z", 0, "z"))),
                new Tx("gw1", 11, 2, List.of(new Command.Delete("/c/h", false))),
                new Tx("gw2", 22, 2, List.of(new Command.Rename("/a/g", "/c/g2", false))),
                new Tx("gw3", 33, 1, List.of(write("/c/new", 0, "n"), write("/a/b/k", 0, "k"))),
                new Tx("gw3", 33, 2, List.of(new Command.Copy("/c/i", "/a/i-copy", false),
                        new Command.SetAttr("/c/i", Command.SetAttr.UNCHANGED, 0600))));
        List<Tx> reversed = new ArrayList<>(txs);
        Collections.reverse(reversed);
        TreeMap<String, Long> a = replica(one, setup, txs);
        TreeMap<String, Long> b = replica(two, setup, reversed);
        assertThat(a).isEqualTo(b).containsKeys("/a/new/z", "/c/g2", "/a/i-copy", "/a/b/k").doesNotContainKey("/c/h");
    }

    /** Property: any set of non-conflicting transactions, in any two orders, gives the same versions. */
    @Property(tries = 25)
    void anyOrderOfNonConflictingTransactionsGivesTheSameVersions(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 7) Integer> kinds,
            @ForAll @IntRange(min = 1, max = 3) int perTx, @ForAll long seed) throws IOException {
        int n = kinds.size();
        List<Command> prep = new ArrayList<>();
        for (int d = 0; d < 3; d++) {
            prep.add(new Command.Mkdir("/d" + d + "/s", true, 0));
        }
        for (int i = 0; i < n; i++) {
            prep.add(write(dir(i) + "/pre" + i, 0, "p" + i));
        }
        List<Tx> setup = List.of(new Tx("setup", 1, 1, prep));
        List<Tx> txs = new ArrayList<>();
        List<Command> current = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            current.addAll(op(kinds.get(i), i));
            if (current.size() >= perTx || i == n - 1) {
                txs.add(new Tx("gw" + (i % 2), 1000 + i % 2, 1 + i, List.copyOf(current)));
                current.clear();
            }
        }
        List<Tx> shuffled = new ArrayList<>(txs);
        Collections.shuffle(shuffled, new Random(seed));
        Path one = Files.createTempDirectory("ruleb-one");
        Path two = Files.createTempDirectory("ruleb-two");
        try {
            assertThat(replica(two, setup, shuffled)).isEqualTo(replica(one, setup, txs));
        } finally {
            delete(one);
            delete(two);
        }
    }

    private static String dir(int i) {
        return i % 2 == 0 ? "/d" + i % 3 : "/d" + i % 3 + "/s";
    }

    /** Operation {@code kind} on objects that only operation {@code i} uses (so no two conflict). */
    private static List<Command> op(int kind, int i) {
        String d = dir(i);
        String pre = d + "/pre" + i;
        return switch (kind) {
            case 0 -> List.of(write(d + "/new" + i, 0, "n"));
            case 1 -> List.of(write(pre, 1, "x"));
            case 2 -> List.of(new Command.Delete(pre, false));
            case 3 -> List.of(new Command.Mkdir(d + "/m" + i + "/n", true, 0), write(d + "/m" + i + "/n/f", 0, "f"));
            case 4 -> List.of(new Command.XattrSet(pre, "k", Fixture.bytes("v" + i)));
            case 5 -> List.of(new Command.Rename(pre, "/d" + (i + 1) % 3 + "/r" + i, false));
            case 6 -> List.of(new Command.SetAttr(pre, Command.SetAttr.UNCHANGED, 0600));
            default -> List.of(new Command.Copy(pre, d + "/copy" + i, false));
        };
    }

    private static TreeMap<String, Long> replica(Path export, List<Tx> setup, List<Tx> txs) throws IOException {
        Fixture.seedRootVersion(export, ROOT);
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export).withFsync(false))) {
            for (Tx t : setup) {
                assertThat(tm.apply(t.peer(), t.incarnation(), t.request()).ok()).isTrue();
            }
            for (Tx t : txs) {
                Message.Reply r = tm.apply(t.peer(), t.incarnation(), t.request());
                assertThat(r.ok()).as("%s: %s", t, r).isTrue();
            }
        }
        return Fixture.versions(export);
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
