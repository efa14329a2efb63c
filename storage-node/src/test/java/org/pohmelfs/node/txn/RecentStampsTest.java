package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pohmelfs.node.txn.Fixture.write;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Command;

/** What a resync pass may not undo or bring back: recent stamps and recent removals (design.md §5). */
class RecentStampsTest {
    @TempDir
    Path dir;

    @Test
    void stampsAndRemovalsAreRecentForTheWindowOnly() {
        AtomicLong now = new AtomicLong(1_000);
        RecentStamps recent = new RecentStamps(10_000, now::get);
        recent.committed(42);
        recent.removed("/a/x");
        now.addAndGet(5_000);
        recent.removed("/b");
        assertThat(recent.recent(42)).isTrue();
        assertThat(recent.recent(43)).isFalse();
        assertThat(recent.removedRecently("/a/x")).isTrue();
        assertThat(recent.removedRecently("/a")).as("only the path itself; ResyncPass checks ancestors").isFalse();
        now.addAndGet(5_001);
        assertThat(recent.recent(42)).isFalse();
        assertThat(recent.removedRecently("/a/x")).isFalse();
        assertThat(recent.removedRecently("/b")).isTrue();
        // removed again later: recent again, and the older entry's expiry does not drop the newer one
        recent.removed("/b");
        now.addAndGet(5_000);
        assertThat(recent.removedRecently("/b")).isTrue();
    }

    @Test
    void aRemovalIsBelowEveryAncestorButNotBelowItselfOrASiblingWithTheSamePrefix() {
        AtomicLong now = new AtomicLong(1_000);
        RecentStamps recent = new RecentStamps(10_000, now::get);
        recent.removed("/a/x/y");
        assertThat(recent.removedBelow("/a/x")).isTrue();
        assertThat(recent.removedBelow("/a")).isTrue();
        assertThat(recent.removedBelow("/")).isTrue();
        assertThat(recent.removedBelow("/a/x/y")).as("the path itself is not below itself").isFalse();
        assertThat(recent.removedBelow("/a/xx")).isFalse();
        assertThat(recent.removedBelow("/b")).isFalse();
        now.addAndGet(10_001);
        assertThat(recent.removedBelow("/a")).as("after the window").isFalse();
    }

    @Test
    void aCommittedDeleteOrRenameRecordsWhatItRemovedAndAFailedOneNothing() throws Exception {
        Path export = Files.createDirectories(dir.resolve("export"));
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export))) {
            Fixture f = new Fixture(tm);
            f.ok(new Command.Mkdir("/d/e", true, 0755), write("/d/e/f", 0, "x"), write("/g", 0, "y"), write("/h", 0, "z"));
            RecentStamps recent = tm.recentStamps();
            assertThat(recent.removedRecently("/d")).isFalse();

            f.ok(new Command.Delete("/d", true));
            f.ok(new Command.Rename("/g", "/g2", false));
            assertThat(recent.removedRecently("/d")).isTrue();
            assertThat(recent.removedRecently("/g")).isTrue();
            assertThat(recent.removedRecently("/g2")).as("made, not removed").isFalse();

            // a transaction that fails removes nothing, also where its DELETE alone succeeded
            f.err(new Command.Delete("/h", false), new Command.Delete("/missing", false));
            assertThat(recent.removedRecently("/h")).isFalse();
        }
    }
}
