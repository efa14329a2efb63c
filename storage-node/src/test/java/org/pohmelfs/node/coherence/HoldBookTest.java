package org.pohmelfs.node.coherence;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hold bookkeeping alone, with time as plain numbers (L = 10). Invariants checked after every test. */
class HoldBookTest {
    static final long L = 10;
    final HoldBook<String> book = new HoldBook<>(L);
    long now;

    @AfterEach
    void invariants() {
        book.check(now);
    }

    private static HoldBook.Key key(String connection, long txid) {
        return new HoldBook.Key(connection, txid);
    }

    @Test
    void unholdReleasesAHeldEntryOnceAndOnlyOnItsConnection() {
        assertThat(book.hold(key("c1", 1), "w1", now)).isTrue();
        assertThat(book.hold(key("c1", 1), "again", now)).isFalse();
        assertThat(book.unhold(key("c2", 1))).isEmpty();
        assertThat(book.unhold(key("c1", 1))).get().extracting(HoldBook.Entry::payload).isEqualTo("w1");
        assertThat(book.unhold(key("c1", 1))).isEmpty();
        assertThat(book.entries()).isEmpty();
    }

    @Test
    void aHoldExpiresAfterLAndIsForwardedThenExtendedUntilTheForwardEnds() {
        book.hold(key("c1", 1), "w1", 0);
        book.hold(key("c1", 2), "w2", 5);
        now = 9;
        assertThat(book.tick(now).isEmpty()).isTrue();
        now = 10;
        HoldBook.Due<String> due = book.tick(now);
        assertThat(due.forward()).extracting(HoldBook.Entry::payload).containsExactly("w1");
        assertThat(due.extend()).isEmpty();
        assertThat(book.count(HoldBook.State.FORWARDING)).isEqualTo(1);
        // UNHOLD comes late: the forward goes on, the entry stays.
        assertThat(book.unhold(key("c1", 1))).isEmpty();
        now = 15;
        due = book.tick(now);
        assertThat(due.forward()).extracting(HoldBook.Entry::payload).containsExactly("w2");
        now = 20;
        due = book.tick(now);
        assertThat(due.forward()).isEmpty();
        assertThat(due.extend()).extracting(HoldBook.Entry::payload).containsExactly("w1");
        assertThat(due.extend().getFirst().deadlineNanos()).isEqualTo(30);
        assertThat(book.forwarded(key("c1", 1))).get().extracting(HoldBook.Entry::payload).isEqualTo("w1");
        assertThat(book.forwarded(key("c1", 1))).isEmpty();
        assertThat(book.entries()).extracting(HoldBook.Entry::payload).containsExactly("w2");
    }

    @Test
    void aClosedConnectionForwardsItsHeldEntriesOnly() {
        book.hold(key("c1", 1), "w1", 0);
        book.hold(key("c2", 1), "other", 0);
        book.hold(key("c1", 3), "w3", 2);
        now = 4;
        assertThat(book.closed("c1", now)).extracting(HoldBook.Entry::payload).containsExactly("w1", "w3");
        assertThat(book.closed("c1", now)).isEmpty(); // forwarding already
        assertThat(book.count(HoldBook.State.HELD)).isEqualTo(1);
        assertThat(book.forwarded(key("c2", 1))).isEmpty(); // a held entry is not "forwarded"
        now = 10;
        // c2's entry expires; c1's forwarding ones are not due before 14.
        HoldBook.Due<String> due = book.tick(now);
        assertThat(due.forward()).extracting(HoldBook.Entry::payload).containsExactly("other");
        assertThat(due.extend()).isEmpty();
    }
}
