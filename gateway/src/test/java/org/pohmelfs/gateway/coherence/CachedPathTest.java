package org.pohmelfs.gateway.coherence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.FileType;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.Xattr;

/** The pure bookkeeping of one cached path: nothing served at or past the deadline, renewals, idleness. */
class CachedPathTest {
    static final Attr FILE = new Attr(FileType.FILE, 3, 1, 0644, 7);

    @Test
    void servesOnlyStrictlyBeforeTheDeadline() {
        CachedPath e = CachedPath.granted(1, 1, 42, 1_000, 0).with(Slot.ATTR, Optional.of(FILE));
        assertThat(e.get(Slot.ATTR, 999)).contains(Optional.of(FILE));
        assertThat(e.get(Slot.ATTR, 1_000)).isEmpty();
        assertThat(e.get(Slot.ATTR, 5_000)).isEmpty();
        assertThat(e.valid(999)).isTrue();
        assertThat(e.valid(1_000)).isFalse();
    }

    @Test
    void aNegativeEntryIsAValueNotAMiss() {
        CachedPath e = CachedPath.granted(1, 1, 42, 1_000, 0).with(Slot.ATTR, Optional.empty());
        assertThat(e.get(Slot.ATTR, 10)).contains(Optional.empty());
        assertThat(e.get(Slot.XATTRS, 10)).isEmpty();
        assertThat(e.get(Slot.LISTING, 10)).isEmpty();
    }

    @Test
    void slotsAreIndependentAndTheEntryIsImmutable() {
        CachedPath bare = CachedPath.granted(1, 1, 42, 1_000, 0);
        CachedPath withX = bare.with(Slot.XATTRS, List.of(new Xattr("user.a", ByteBuffer.wrap(new byte[]{1}))));
        assertThat(bare.get(Slot.XATTRS, 1)).isEmpty();
        assertThat(withX.get(Slot.XATTRS, 1)).get().asList().hasSize(1);
        assertThat(withX.sameGrant(bare)).isTrue();
        assertThat(withX.weight()).isGreaterThan(bare.weight());
    }

    @Test
    void aRenewalOnlyMovesTheDeadlineLater() {
        CachedPath e = CachedPath.granted(1, 1, 42, 1_000, 0);
        assertThat(e.renewed(900, 2_000).deadlineNanos()).isEqualTo(2_000);
        assertThat(e.renewed(900, 500).deadlineNanos()).isEqualTo(1_000);
        assertThat(e.renewed(900, 2_000).get(Slot.ATTR, 1_500)).isEmpty(); // nothing held, still a miss
        assertThat(e.with(Slot.ATTR, Optional.of(FILE)).renewed(900, 2_000).get(Slot.ATTR, 1_500)).isPresent();
    }

    @Test
    void aRenewalReplyAtOrPastTheDeadlineExtendsNothing() {
        CachedPath e = CachedPath.granted(1, 1, 42, 1_000, 0).with(Slot.ATTR, Optional.of(FILE));
        assertThat(e.renewed(1_000, 5_000).deadlineNanos()).isEqualTo(1_000);
        assertThat(e.renewed(4_000, 5_000).get(Slot.ATTR, 1_500)).isEmpty();
        assertThat(e.renewed(999, 5_000).deadlineNanos()).isEqualTo(5_000);
    }

    @Test
    void releasableWhenIdleOrPastTheDeadline() {
        CachedPath e = CachedPath.granted(1, 1, 42, 10_000, 0).with(Slot.ATTR, Optional.of(FILE));
        assertThat(e.releasable(50, 100)).isFalse();
        assertThat(e.releasable(100, 100)).isTrue();
        e.get(Slot.ATTR, 90); // a use restarts the idle time
        assertThat(e.releasable(150, 100)).isFalse();
        assertThat(e.releasable(10_000, 1_000_000)).isTrue();
    }

    @Test
    void grantsAreToldApart() {
        CachedPath first = CachedPath.granted(1, 1, 42, 1_000, 0);
        assertThat(first.sameGrant(CachedPath.granted(1, 2, 42, 1_000, 0))).isFalse();
        assertThat(first.sameGrant(CachedPath.granted(2, 1, 42, 1_000, 0))).isFalse();
        assertThat(first.sameGrant(null)).isFalse();
    }

    @Test
    void deadlinesCompareAcrossTheNanoTimeWrap() {
        CachedPath e = CachedPath.granted(1, 1, 42, Long.MIN_VALUE + 10, 0);
        assertThat(e.valid(Long.MAX_VALUE - 10)).isTrue();
        assertThat(e.valid(Long.MIN_VALUE + 10)).isFalse();
    }

    @Test
    void pagesAreCutInUtf8ByteOrder() {
        Attr dir = new Attr(FileType.DIRECTORY, 0, 1, 0755, 3);
        List<DirEntry> names = List.of(entry("A"), entry("a"), entry("b"), entry("z"), entry("é"));
        Result.Listing all = new Result.Listing(dir, names, false);
        assertThat(ListingPages.page(all, "", 2).entries()).extracting(DirEntry::name).containsExactly("A", "a");
        assertThat(ListingPages.page(all, "", 2).more()).isTrue();
        assertThat(ListingPages.page(all, "a", 10).entries()).extracting(DirEntry::name).containsExactly("b", "z", "é");
        assertThat(ListingPages.page(all, "aa", 10).entries()).extracting(DirEntry::name).containsExactly("b", "z", "é");
        assertThat(ListingPages.page(all, "é", 10).entries()).isEmpty();
        assertThat(ListingPages.page(all, "é", 10).more()).isFalse();
        assertThat(ListingPages.page(all, "", 5).more()).isFalse();
        assertThat(ListingPages.page(all, "", 5).directory()).isEqualTo(dir);
    }

    private static DirEntry entry(String name) {
        return new DirEntry(name, FILE);
    }
}
