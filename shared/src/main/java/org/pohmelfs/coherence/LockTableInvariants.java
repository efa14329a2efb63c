package org.pohmelfs.coherence;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a {@link LockTable}'s invariants from its public view. Tests run it after every step;
 * a driver may run it in debug builds. Throws {@link IllegalStateException} naming the first
 * violation.
 *
 * <ol>
 *   <li>At most one lease per (holder, path), and no two conflicting leases: never two
 *       exclusive holders, nor exclusive beside shared, on overlapping paths.</li>
 *   <li>No lease past its expiry is held, and none runs more than one lease duration ahead.</li>
 *   <li>The queue holds at most one request per (holder, path).</li>
 *   <li>Progress, and recall before grant: after the grace period, every queued request that no
 *       earlier conflicting request blocks is blocked by at least one held lease, and every such
 *       lease has been recalled with at least the kind the request needs. Together with (1)
 *       this means a conflicting lease is recalled before the grant, and since recalled leases
 *       are not renewed, every queued request is granted within one lease duration of the
 *       requests ahead of it.</li>
 * </ol>
 */
public final class LockTableInvariants {
    private LockTableInvariants() {
    }

    public static void check(LockTable table) {
        List<Lease> leases = table.leases();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < leases.size(); i++) {
            Lease a = leases.get(i);
            require(seen.add(a.holder() + " " + a.path()), "two leases for one holder and path: " + a);
            require(a.expiresAtNanos() > table.now(), "lease held past its expiry: " + a + " at " + table.now());
            require(a.expiresAtNanos() <= table.now() + table.leaseNanos(), "lease runs past now + L: " + a);
            for (int j = i + 1; j < leases.size(); j++) {
                Lease b = leases.get(j);
                require(!a.conflictsWith(b.holder(), b.path(), b.mode(), b.scope()), "conflicting leases: " + a + " and " + b);
            }
        }
        long shared = leases.stream().filter(l -> l.mode() == LockMode.SHARED).count();
        require(table.held(LockMode.SHARED) == shared && table.held(LockMode.EXCLUSIVE) == leases.size() - shared,
                "held counts " + table.held(LockMode.SHARED) + "/" + table.held(LockMode.EXCLUSIVE) + " disagree with "
                        + leases.size() + " leases");
        List<LockRequest> queue = table.queue();
        Set<String> queued = new HashSet<>();
        for (int i = 0; i < queue.size(); i++) {
            LockRequest q = queue.get(i);
            require(queued.add(q.holder() + " " + q.path()), "two queued requests for one holder and path: " + q);
            if (table.now() < table.graceEndsAtNanos() || blockedByEarlier(queue, i)) {
                continue;
            }
            List<Lease> blocking = leases.stream().filter(q::conflictsWith).toList();
            require(!blocking.isEmpty(), "grantable request left queued: " + q);
            for (Lease l : blocking) {
                RecallKind needed = RecallKind.neededFor(q.mode(), l.mode());
                require(l.recalled().isPresent() && l.recalled().get().compareTo(needed) >= 0,
                        "lease blocking " + q + " not recalled " + needed + ": " + l);
            }
        }
    }

    private static boolean blockedByEarlier(List<LockRequest> queue, int i) {
        for (int j = 0; j < i; j++) {
            if (queue.get(j).conflictsWith(queue.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }
}
