package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;

/** WRITE_UNSTABLE and COMMIT against a real export (design.md §2.1, protocol §4.8). */
class UnstableWritesTest {
    @TempDir
    Path export;
    private TransactionManager tm;

    @AfterEach
    void close() {
        if (tm != null) {
            tm.close();
        }
    }

    private Fixture open(StoreSettings settings) throws Exception {
        if (tm != null) {
            tm.close();
        }
        tm = TransactionManager.open(settings);
        return new Fixture(tm);
    }

    private static Command.Write unstable(String path, long offset, String data) {
        return new Command.Write(path, offset, Fixture.bytes(data), true, true);
    }

    @Test
    void unstableWritesLandAndACommitMakesThemDurableOnce() throws Exception {
        Fixture fx = open(StoreSettings.defaults(export));
        fx.ok(new Command.Mkdir("/d", false, 0755));
        fx.ok(unstable("/d/f", 0, "hello "));
        assertThat(tm.journalUnforced()).as("the first unstable write of a file is forced, with its marker").isFalse();
        fx.ok(unstable("/d/f", 6, "world"));
        assertThat(tm.journalUnforced()).as("a later one is journalled unforced").isTrue();
        fx.ok(unstable("/other", 0, "x"));
        assertThat(Files.readString(export.resolve("d/f"))).isEqualTo("hello world");
        assertThat(fx.read("/d/f")).isEqualTo("hello world");
        assertThat(tm.unstablePaths()).isEqualTo(2);

        fx.ok(new Command.Commit("/d/f/")); // the same object, however the path is spelled
        assertThat(tm.journalUnforced()).as("COMMIT forced the journal").isFalse();
        assertThat(tm.unstablePaths()).isEqualTo(1);
        assertThat(fx.err(new Command.Commit("/d/f"))).as("a second COMMIT").isEqualTo(ErrorCode.UNSTABLE_LOST);
        assertThat(fx.stat("/d/f").size()).isEqualTo(11);
    }

    @Test
    void aStableMutationForcesTheJournalAndSyncDoesToo() throws Exception {
        Fixture fx = open(StoreSettings.defaults(export));
        fx.ok(unstable("/f", 0, "a"));
        fx.ok(unstable("/f", 1, "a"));
        assertThat(tm.journalUnforced()).isTrue();
        fx.ok(new Command.Mkdir("/d", false, 0755));
        assertThat(tm.journalUnforced()).as("a stable transaction forces the earlier records").isFalse();
        fx.ok(unstable("/f", 2, "b"));
        assertThat(tm.journalUnforced()).isTrue();
        fx.ok(new Command.Sync("/f"));
        assertThat(tm.journalUnforced()).as("SYNC forces them").isFalse();
        assertThat(tm.unstablePaths()).as("SYNC is not COMMIT").isEqualTo(1);
        fx.ok(new Command.Commit("/f"));
    }

    @Test
    void aCommitOfAPathWithoutUnstableWritesAbortsItsTransaction() throws Exception {
        Fixture fx = open(StoreSettings.defaults(export));
        fx.ok(Fixture.write("/staging", 0, "new"));  // stable: not in the set
        Message.Reply r = fx.send(new Command.Commit("/staging"), new Command.Mkdir("/t", true, 0755),
                new Command.Rename("/staging", "/t/target", false));
        assertThat(r.firstError().code()).isEqualTo(ErrorCode.UNSTABLE_LOST);
        assertThat(r.results().get(2)).isInstanceOf(Result.Error.class);
        assertThat(Files.exists(export.resolve("staging"))).as("the RENAME did not happen").isTrue();
        assertThat(Files.exists(export.resolve("t"))).isFalse();
        assertThat(fx.err(new Command.Commit("/never"))).isEqualTo(ErrorCode.UNSTABLE_LOST);

        // With unstable writes: COMMIT, MKDIR, RENAME commit together, and the target holds the bytes.
        fx.ok(unstable("/staging", 0, "newer"));
        fx.ok(new Command.Commit("/staging"), new Command.Mkdir("/t", true, 0755),
                new Command.Rename("/staging", "/t/target", false));
        assertThat(Files.readString(export.resolve("t/target"))).isEqualTo("newer");
        assertThat(tm.unstablePaths()).isZero();
    }

    @Test
    void deleteAndRenameTakePathsOutOfTheSetAndAFailedTransactionKeepsThem() throws Exception {
        Fixture fx = open(StoreSettings.defaults(export));
        fx.ok(new Command.Mkdir("/d", false, 0755));
        fx.ok(unstable("/d/a", 0, "a"), unstable("/d/b", 0, "b"), unstable("/c", 0, "c"), unstable("/e", 0, "e"));
        assertThat(tm.unstablePaths()).isEqualTo(4);
        // A transaction that fails changes nothing in the set.
        assertThat(fx.err(new Command.Delete("/c", false), new Command.Delete("/missing", false)))
                .isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(tm.unstablePaths()).isEqualTo(4);
        fx.ok(new Command.Rename("/c", "/c2", false));
        assertThat(fx.err(new Command.Commit("/c2"))).as("a rename does not carry the writes").isEqualTo(ErrorCode.UNSTABLE_LOST);
        assertThat(fx.err(new Command.Commit("/c"))).isEqualTo(ErrorCode.UNSTABLE_LOST);
        fx.ok(new Command.Delete("/d", true));
        assertThat(tm.unstablePaths()).as("a tree's paths go with it").isEqualTo(1);
        fx.ok(new Command.Commit("/e"));
        assertThat(tm.unstablePaths()).isZero();
    }

    @Test
    void aReopenedNodeAnswersUnstableLostButKeepsTheBytes() throws Exception {
        Fixture fx = open(StoreSettings.defaults(export));
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        for (int i = 0; i < 3; i++) {
            fx.ok(new Command.Write("/big", (long) i << 20, chunk.duplicate(), true, true));
        }
        fx = open(StoreSettings.defaults(export)); // a new incarnation of the node
        assertThat(fx.err(new Command.Commit("/big"))).isEqualTo(ErrorCode.UNSTABLE_LOST);
        assertThat(fx.stat("/big").size()).as("a process restart loses nothing").isEqualTo(3L << 20);
    }

    @Test
    void writesOfAnEarlierProcessAreNeverVouchedForEvenAfterNewOnes() throws Exception {
        Fixture fx = open(StoreSettings.defaults(export));
        fx.ok(unstable("/f", 0, "before "));
        fx.ok(unstable("/g", 0, "committed"));
        fx.ok(new Command.Commit("/g"));
        fx = open(StoreSettings.defaults(export)); // a restart: maybe a power loss took "before "
        fx.ok(unstable("/f", 7, "after"));
        assertThat(fx.err(new Command.Commit("/f"))).as("the file carries the old process's marker")
                .isEqualTo(ErrorCode.UNSTABLE_LOST);
        fx.ok(unstable("/g", 9, "!"));
        fx.ok(new Command.Commit("/g")); // committed before the restart: its marker was cleared
        fx.ok(new Command.Delete("/f", false));
        fx.ok(unstable("/f", 0, "anew"));
        fx.ok(new Command.Commit("/f"));
        assertThat(fx.read("/f")).isEqualTo("anew");
    }

    @Test
    void aLargeOverwriteWithASideFileIsForcedAndStillCommits() throws Exception {
        Fixture fx = open(StoreSettings.defaults(export));
        ByteBuffer big = ByteBuffer.allocate(3 << 20);
        fx.ok(new Command.Write("/f", 0, big.duplicate(), true));
        fx.ok(unstable("/f", 3 << 20, "first"));
        fx.ok(new Command.Write("/f", 0, ByteBuffer.wrap(new byte[2 << 20]), true, true));
        assertThat(tm.journalUnforced()).as("its side file needs its decision forced").isFalse();
        fx.ok(new Command.Commit("/f"));
    }

    @Test
    void withUnstableWritesOffWritesAreDurableAndCommitIsSync() throws Exception {
        Fixture fx = open(StoreSettings.defaults(export).withUnstableWrites(false));
        assertThat(tm.unstableWrites()).isFalse();
        fx.ok(unstable("/f", 0, "x"));
        assertThat(tm.journalUnforced()).isFalse();
        assertThat(tm.unstablePaths()).isZero();
        fx.ok(new Command.Commit("/f"));
        fx.ok(new Command.Commit("/f"));
        assertThat(fx.err(new Command.Commit("/missing"))).isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    void theSetIsBounded() {
        UnstableWrites set = new UnstableWrites(2);
        assertThat(set.admits(List.of("/a", "/b", "/a"))).isTrue();
        set.written("/a", false);
        set.written("/b", true);
        assertThat(set.admits(List.of("/c"))).isFalse();
        assertThat(set.admits(List.of("/a"))).as("a path already in it takes no room").isTrue();
        assertThat(set.pending("/b")).isTrue();
        set.written("/b", false);
        assertThat(set.pending("/b")).as("once a folder changed, COMMIT forces it").isTrue();
        set.limit(10);
        set.written("/d/x", false);
        set.written("/d0", false);
        set.written("/d/y/z", false);
        set.forgetTree("/d");
        assertThat(set.pending("/d/x")).isNull();
        assertThat(set.pending("/d/y/z")).isNull();
        assertThat(set.pending("/d0")).isFalse();
        assertThat(UnstableWrites.canonical("/a//b")).isNull();
        set.checkInvariants();
    }

    @Test
    void aFullSetNamesTheLeastRecentlyWrittenPathsToForceAndTheirCommitStillPasses() {
        UnstableWrites set = new UnstableWrites(3);
        set.written("/a", true);
        set.written("/b", false);
        set.written("/c", false);
        set.written("/a", false); // written again: now the most recent, still with its folder change
        assertThat(set.makeRoom(List.of("/c", "/b"))).as("paths already pending need no room").isEmpty();
        assertThat(set.makeRoom(List.of("/x", "/y", "/b")))
                .as("least recently written first, never one of the transaction's own paths")
                .containsExactly(new UnstableWrites.Victim("/c", false), new UnstableWrites.Victim("/a", true));
        assertThat(set.admits(List.of("/x", "/y", "/b"))).as("not before the victims are forced").isFalse();
        set.forced("/c");
        set.forced("/a");
        set.checkInvariants();
        assertThat(set.admits(List.of("/x", "/y", "/b"))).isTrue();
        set.written("/x", false);
        set.written("/y", false);
        assertThat(set.pending("/c")).as("a forced path's COMMIT passes, with nothing more to force for its folder")
                .isFalse();
        assertThat(set.pending("/a")).isFalse();
        assertThat(set.size()).isEqualTo(5);
        set.committed("/c");
        assertThat(set.pending("/c")).as("committed: a second COMMIT fails").isNull();

        // A forced path written again is pending again, and takes room again.
        assertThat(set.admits(List.of("/a"))).isFalse();
        assertThat(set.makeRoom(List.of("/a"))).containsExactly(new UnstableWrites.Victim("/b", false));
        set.forced("/b");
        set.written("/a", false);
        assertThat(set.pending("/a")).isFalse();
        set.checkInvariants();
    }

    @Test
    void lostPathsAreDroppedBeforeAnythingIsForcedAndForcedOnesAreBoundedToo() {
        UnstableWrites set = new UnstableWrites(2);
        set.written("/p", false);
        set.lost("/l");
        assertThat(set.makeRoom(List.of("/n"))).as("dropping a lost entry costs no force").isEmpty();
        assertThat(set.isLost("/l")).isFalse();
        assertThat(set.pending("/l")).as("its COMMIT still fails").isNull();
        assertThat(set.admits(List.of("/n"))).isTrue();
        set.written("/n", false);

        // Forced entries: at most the bound as well; the oldest goes first, its COMMIT then fails.
        for (String p : List.of("/q", "/r", "/s")) {
            List<UnstableWrites.Victim> victims = set.makeRoom(List.of(p));
            assertThat(victims).hasSize(1);
            set.forced(victims.getFirst().path());
            set.written(p, false);
            set.checkInvariants();
        }
        assertThat(set.pending("/p")).as("forced first, dropped when the forced entries passed the bound").isNull();
        assertThat(set.pending("/n")).isFalse();
        assertThat(set.pending("/q")).isFalse();
        assertThat(set.size()).isEqualTo(4); // /n and /q forced, /r and /s pending

        set.forgetTree("/");
        assertThat(set.size()).as("the root's tree is everything").isZero();
        set.checkInvariants();
    }

    @Test
    void aNodeWithAFullSetForcesTheOldestPathAndItsLaterCommitPasses() throws Exception {
        Fixture fx = open(StoreSettings.defaults(export));
        tm.limitUnstablePaths(2);
        fx.ok(new Command.Mkdir("/up", false, 0755));
        fx.ok(unstable("/up/leaked", 0, "a crashed gateway's staging file"));
        fx.ok(unstable("/up/one", 0, "first "));
        fx.ok(unstable("/up/one", 6, "upload"));
        fx.ok(unstable("/up/two", 0, "second upload")); // full: /up/leaked is forced to make room
        assertThat(tm.unstablePaths()).as("two pending, one forced").isEqualTo(3);
        fx.ok(unstable("/up/two", 13, "!"));
        assertThat(tm.journalUnforced()).as("the set had room for /up/two: its later writes run unstable").isTrue();
        fx.ok(new Command.Commit("/up/one"));
        fx.ok(new Command.Commit("/up/two"));
        fx.ok(new Command.Commit("/up/leaked"));
        assertThat(fx.read("/up/two")).isEqualTo("second upload!");
        assertThat(fx.read("/up/leaked")).isEqualTo("a crashed gateway's staging file");
        assertThat(tm.unstablePaths()).isZero();
        assertThat(fx.err(new Command.Commit("/up/leaked"))).as("a second COMMIT").isEqualTo(ErrorCode.UNSTABLE_LOST);
    }

    @Test
    void aForcedPathKeepsItsMarkerSoANewProcessStillRefusesItsCommit() throws Exception {
        Fixture fx = open(StoreSettings.defaults(export));
        tm.limitUnstablePaths(1);
        fx.ok(unstable("/old", 0, "x"));
        fx.ok(unstable("/new", 0, "y")); // forces /old to make room
        fx.ok(unstable("/old", 1, "z")); // /old pending again, unforced: its marker must still say so
        fx = open(StoreSettings.defaults(export));
        fx.ok(unstable("/old", 2, "!"));
        assertThat(fx.err(new Command.Commit("/old"))).isEqualTo(ErrorCode.UNSTABLE_LOST);
    }
}
