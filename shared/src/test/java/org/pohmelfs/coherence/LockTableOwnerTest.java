package org.pohmelfs.coherence;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.pohmelfs.protocol.ObjectPath;

/** Holder ids "owner#suffix": one owner's leases never conflict with each other (design.md §3.4). */
class LockTableOwnerTest {
    private static final ObjectPath F = ObjectPath.parse("/f");

    @Test
    void holdersOfOneOwnerDoNotConflictAndOthersAreRecalled() {
        LockTable t = LockTable.create(0, 100);
        t.step(new LockEvent.Tick(100));
        t.step(new LockEvent.Acquire("c1", F, LockMode.SHARED, LockScope.OBJECT, 1));
        t.step(new LockEvent.Acquire("c2", F, LockMode.SHARED, LockScope.OBJECT, 2));
        t.ready();
        t.advance();
        t.step(new LockEvent.Acquire("c1#m1", F, LockMode.EXCLUSIVE, LockScope.SUBTREE, 3));
        LockTableInvariants.check(t);
        LockReady r = t.ready();
        assertThat(r.grants()).isEmpty();
        assertThat(r.recalls()).singleElement().satisfies(rc -> {
            assertThat(rc.holder()).isEqualTo("c2");
            assertThat(rc.kind()).isEqualTo(RecallKind.TO_NOTHING);
        });
        t.advance();
        t.step(new LockEvent.Ack(r.recalls().getFirst().pushId()));
        LockTableInvariants.check(t);
        assertThat(t.ready().grants()).singleElement().satisfies(g -> assertThat(g.holder()).isEqualTo("c1#m1"));
        assertThat(t.leases()).extracting(Lease::holder).containsExactlyInAnyOrder("c1", "c1#m1");
    }

    @Test
    void theOwnerIsThePartBeforeTheFirstHash() {
        assertThat(LockTable.sameOwner("c1/gw", "c1/gw#m7")).isTrue();
        assertThat(LockTable.sameOwner("c1/gw#m1", "c1/gw#m2")).isTrue();
        assertThat(LockTable.sameOwner("c1/gw", "c2/gw")).isFalse();
        assertThat(LockTable.owner("a#b#c")).isEqualTo("a");
    }
}
