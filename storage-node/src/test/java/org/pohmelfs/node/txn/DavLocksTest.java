package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pohmelfs.node.txn.Fixture.write;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.DavLock;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Result;

/** WebDAV locks held by the node: grant, conflicts, enforcement inside transactions, expiry, restart. */
class DavLocksTest {
    @TempDir
    Path export;
    final AtomicLong now = new AtomicLong(1_000_000);
    TransactionManager tm;
    Fixture fx;

    @BeforeEach
    void open() throws IOException {
        reopen();
        fx.ok(new Command.Mkdir("/c/sub", true, 0), write("/c/f", 0, "f"), write("/c/sub/g", 0, "g"),
                write("/top", 0, "t"));
    }

    private void reopen() throws IOException {
        if (tm != null) {
            tm.close();
        }
        tm = TransactionManager.open(StoreSettings.defaults(export).withFsync(false), now::get, 600);
        fx = new Fixture(tm);
    }

    @AfterEach
    void close() {
        tm.close();
    }

    private DavLock lock(String path, boolean exclusive, boolean infinite, String principal, int seconds) {
        List<Result> r = fx.ok(new Command.Lock(path, exclusive, infinite, "<o>me</o>", principal, seconds, ""));
        return ((Result.Locks) r.getFirst()).locks().getFirst();
    }

    private static Command.Tokens tokens(String principal, DavLock... locks) {
        return new Command.Tokens(principal, java.util.Arrays.stream(locks).map(DavLock::token).toList());
    }

    private List<DavLock> locksOn(String path) {
        return ((Result.Locks) fx.ok(new Command.Locks(path, false)).getFirst()).locks();
    }

    @Test
    void lockGrantsATokenAndIsDiscoverableOnTheResourceOnly() {
        DavLock l = lock("/c/f", true, false, "alice", 60);
        assertThat(l.token()).startsWith("opaquelocktoken:");
        assertThat(l.expiresAtMillis()).isEqualTo(now.get() + 60_000);
        assertThat(locksOn("/c/f")).containsExactly(l);
        assertThat(locksOn("/c")).isEmpty();
    }

    @Test
    void mutationWithoutTheTokenIsLockedAndChangesNothing() {
        DavLock l = lock("/c/f", true, false, "alice", 60);
        assertThat(fx.err(write("/c/f", 0, "X"))).isEqualTo(ErrorCode.LOCKED);
        assertThat(fx.err(new Command.Delete("/c/f", false))).isEqualTo(ErrorCode.LOCKED);
        assertThat(fx.err(new Command.Rename("/c/f", "/moved", false))).isEqualTo(ErrorCode.LOCKED);
        assertThat(fx.err(new Command.Rename("/top", "/c/f", false))).isEqualTo(ErrorCode.LOCKED);
        assertThat(fx.err(new Command.XattrSet("/c/f", "k", Fixture.bytes("v")))).isEqualTo(ErrorCode.LOCKED);
        // another principal holding the token string is not the owner
        assertThat(fx.err(tokens("mallory", l), write("/c/f", 0, "X"))).isEqualTo(ErrorCode.LOCKED);
        assertThat(fx.read("/c/f")).isEqualTo("f");
        fx.ok(tokens("alice", l), write("/c/f", 0, "A"));
        assertThat(fx.read("/c/f")).isEqualTo("A");
    }

    @Test
    void lockedInsideATransactionRollsBackEarlierCommands() {
        lock("/c/f", true, false, "alice", 60);
        assertThat(fx.send(write("/top", 0, "changed"), write("/c/f", 0, "X")).results())
                .extracting(r -> ((Result.Error) r).code()).containsExactly(ErrorCode.ABORTED, ErrorCode.LOCKED);
        assertThat(fx.read("/top")).isEqualTo("t");
    }

    @Test
    void depthZeroCollectionLockGuardsMembershipNotMembers() {
        DavLock l = lock("/c", true, false, "alice", 60);
        fx.ok(write("/c/f", 0, "member content may change"));
        assertThat(fx.err(new Command.Create("/c/new", true, false, 0644))).isEqualTo(ErrorCode.LOCKED);
        assertThat(fx.err(new Command.Delete("/c/f", false))).isEqualTo(ErrorCode.LOCKED);
        fx.ok(tokens("alice", l), new Command.Create("/c/new", true, false, 0644));
    }

    @Test
    void infiniteLockCoversTheTreeAndBlocksDeletingAnAncestor() {
        DavLock l = lock("/c/sub", false, true, "alice", 60);
        assertThat(locksOn("/c/sub/g")).containsExactly(l);
        assertThat(fx.err(write("/c/sub/g", 0, "X"))).isEqualTo(ErrorCode.LOCKED);
        assertThat(fx.err(new Command.Delete("/c", true))).isEqualTo(ErrorCode.LOCKED);
        assertThat(fx.err(new Command.Rename("/c", "/d", false))).isEqualTo(ErrorCode.LOCKED);
        fx.ok(tokens("alice", l), new Command.Delete("/c", true));
        assertThat(locksOn("/c/sub")).as("locks go with the deleted tree").isEmpty();
    }

    @Test
    void locksInsideATreeAreListedOnRequest() {
        DavLock g = lock("/c/sub/g", true, false, "alice", 60);
        DavLock c = lock("/c", false, false, "bob", 60);
        assertThat(locksOn("/c")).containsExactly(c);
        assertThat(((Result.Locks) fx.ok(new Command.Locks("/c", true)).getFirst()).locks()).containsExactly(c, g);
        assertThat(((Result.Locks) fx.ok(new Command.Locks("/top", true)).getFirst()).locks()).isEmpty();
    }

    @Test
    void conflicts() {
        lock("/c/sub", false, true, "alice", 60);
        lock("/c/sub", false, false, "bob", 60); // shared + shared
        assertThat(fx.err(new Command.Lock("/c/sub/g", true, false, "", "bob", 60, ""))).isEqualTo(ErrorCode.LOCKED);
        assertThat(fx.err(new Command.Lock("/c", true, true, "", "bob", 60, ""))).isEqualTo(ErrorCode.LOCKED);
        lock("/c", true, false, "bob", 60); // depth 0 on the parent does not overlap
        assertThat(fx.err(new Command.Lock("/nope", true, false, "", "bob", 60, ""))).isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    void expiryRefreshAndCap() {
        DavLock l = lock("/c/f", true, false, "alice", 0);
        assertThat(l.timeoutSeconds()).as("0 = infinite, capped").isEqualTo(600);
        now.addAndGet(599_000);
        DavLock r = ((Result.Locks) fx.ok(new Command.LockRefresh("/c/f", l.token(), "alice", 30)).getFirst())
                .locks().getFirst();
        assertThat(r.expiresAtMillis()).isEqualTo(now.get() + 30_000);
        assertThat(fx.err(new Command.LockRefresh("/c/f", l.token(), "bob", 30))).isEqualTo(ErrorCode.NO_SUCH_LOCK);
        now.addAndGet(30_000);
        assertThat(locksOn("/c/f")).isEmpty();
        fx.ok(write("/c/f", 0, "expired locks are not enforced"));
        assertThat(fx.err(new Command.LockRefresh("/c/f", l.token(), "alice", 30))).isEqualTo(ErrorCode.NO_SUCH_LOCK);
    }

    @Test
    void unlockNeedsTheOwnerAndACoveredPath() {
        DavLock l = lock("/c", true, true, "alice", 60);
        assertThat(fx.err(new Command.Unlock("/c/f", l.token(), "bob"))).isEqualTo(ErrorCode.NO_SUCH_LOCK);
        assertThat(fx.err(new Command.Unlock("/top", l.token(), "alice"))).isEqualTo(ErrorCode.NO_SUCH_LOCK);
        fx.ok(new Command.Unlock("/c/f", l.token(), "alice"));
        fx.ok(write("/c/f", 0, "free"));
    }

    @Test
    void lockAndCreateInOneTransactionIsAtomic() {
        DavLock other = lock("/c", true, false, "bob", 60);
        assertThat(fx.err(new Command.Create("/c/lnr", true, false, 0644),
                new Command.Lock("/c/lnr", true, false, "", "alice", 60, ""))).isEqualTo(ErrorCode.LOCKED);
        assertThat(fx.err(new Command.Stat("/c/lnr"))).isEqualTo(ErrorCode.NOT_FOUND);
        fx.ok(new Command.Unlock("/c", other.token(), "bob"));
        // a failed lock after a create rolls the create back too (and leaves no lock)
        lock("/top", true, false, "bob", 60);
        assertThat(fx.err(new Command.Create("/c/lnr", true, false, 0644),
                new Command.Lock("/top", true, false, "", "alice", 60, ""))).isEqualTo(ErrorCode.LOCKED);
        assertThat(fx.err(new Command.Stat("/c/lnr"))).isEqualTo(ErrorCode.NOT_FOUND);
        fx.ok(new Command.Create("/c/lnr", true, false, 0644), new Command.Lock("/c/lnr", true, false, "", "alice", 60, ""));
        assertThat(locksOn("/c/lnr")).hasSize(1);
    }

    @Test
    void abortedTransactionTakesBackItsLock() {
        assertThat(fx.err(new Command.Lock("/c/f", true, false, "", "alice", 60, ""),
                new Command.Delete("/does-not-exist", false))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(locksOn("/c/f")).isEmpty();
    }

    @Test
    void locksSurviveANodeRestartAndStillExpire() throws IOException {
        DavLock l = lock("/c/f", true, false, "alice", 60);
        reopen();
        assertThat(locksOn("/c/f")).containsExactly(l);
        assertThat(fx.err(write("/c/f", 0, "X"))).isEqualTo(ErrorCode.LOCKED);
        now.addAndGet(60_000);
        reopen();
        fx.ok(write("/c/f", 0, "X"));
    }

    @Test
    void readOnlyNodeRefusesLocks() throws IOException {
        tm.close();
        tm = TransactionManager.open(StoreSettings.defaults(export).withReadOnly(true), now::get, 600);
        fx = new Fixture(tm);
        assertThat(fx.err(new Command.Lock("/c/f", true, false, "", "alice", 60, ""))).isEqualTo(ErrorCode.READ_ONLY);
    }
}
