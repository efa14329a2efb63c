package org.pohmelfs.coherence;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.pohmelfs.protocol.ObjectPath;

/**
 * The lock table. How it works:
 *
 * <p>Leases live in a map sorted by the path's string, then by holder. The descendants of
 * {@code /a} are exactly the keys in {@code ["/a/", "/a0")} ('0' follows '/'), so a subtree
 * check is one range scan plus a walk up the ancestors. Requests wait in one queue in
 * arrival order. After every event {@link #pump()} walks the queue once: a request that
 * conflicts with an earlier queued one waits without doing anything; one that conflicts only
 * with held leases recalls them; one that conflicts with nothing is granted. One pass is
 * enough, because a grant can only block requests that come after it.
 */
final class DefaultLockTable implements LockTable {
    private final long leaseNanos;
    private long graceEnds;
    private long now;

    private final TreeMap<String, TreeMap<String, Lease>> leases = new TreeMap<>();
    private final List<LockRequest> queue = new ArrayList<>();
    private final Map<Long, LockReady.Recall> pushes = new HashMap<>();
    private long nextLeaseId = 1;
    private int sharedHeld;
    private int exclusiveHeld;
    private long expired;
    /**
     * No lease expires before this (a lower bound: lowered by every lease put, made exact by a
     * tick's scan), so a tick before it looks at nothing. Ticks come with every event the driver
     * steps; a scan of every lease on each of them cost the node's lease thread O(n log n) per
     * ACQUIRE (a sorted copy of all leases), which capped first reads at about 1,000/s once a
     * gateway held 40,000 leases.
     */
    private long nextExpiry = Long.MAX_VALUE;
    private long nextPushId = 1;

    private final List<LockReady.Recall> recalls = new ArrayList<>();
    private final List<LockReady.Grant> grants = new ArrayList<>();
    private final List<LockReady.Refusal> refusals = new ArrayList<>();
    private int returnedRecalls;
    private int returnedGrants;
    private int returnedRefusals;

    DefaultLockTable(long startNanos, long leaseNanos, long graceNanos) {
        if (leaseNanos <= 0) {
            throw new IllegalArgumentException("lease duration must be positive: " + leaseNanos);
        }
        if (graceNanos < 0 || graceNanos > leaseNanos) {
            throw new IllegalArgumentException("grace period must be within [0, " + leaseNanos + "]: " + graceNanos);
        }
        this.leaseNanos = leaseNanos;
        this.now = startNanos;
        this.graceEnds = startNanos + graceNanos;
    }

    @Override
    public void step(LockEvent event) {
        switch (event) {
            case LockEvent.Acquire a -> acquire(a);
            case LockEvent.Release r -> remove(r.holder(), r.path());
            case LockEvent.Downgrade d -> downgrade(d.holder(), d.path());
            case LockEvent.Renew r -> renew(r.holder());
            case LockEvent.Extend x -> extend(x.holder(), x.path());
            case LockEvent.Ack a -> ack(a.pushId());
            case LockEvent.HolderGone g -> gone(g.holder());
            case LockEvent.Tick t -> tick(t.nowNanos());
            case LockEvent.Grace g -> {
                if (g.untilNanos() - now > leaseNanos) {
                    throw new IllegalArgumentException("grace period must end within one lease duration: "
                            + (g.untilNanos() - now));
                }
                graceEnds = g.untilNanos();
            }
        }
        pump();
    }

    private void acquire(LockEvent.Acquire a) {
        for (LockRequest q : queue) {
            if (q.holder().equals(a.holder()) && q.path().equals(a.path())) {
                refusals.add(new LockReady.Refusal(a.requestId(), a.holder(), a.path(), LockReady.Reason.ALREADY_PENDING));
                return;
            }
        }
        Lease own = lease(a.holder(), a.path());
        if (own != null && own.covers(a.mode(), a.scope())) {
            grants.add(grant(a.requestId(), own));
            return;
        }
        LockMode mode = own == null ? a.mode() : own.mode().join(a.mode());
        LockScope scope = own == null ? a.scope() : own.scope().max(a.scope());
        queue.add(new LockRequest(a.requestId(), a.holder(), a.path(), mode, scope));
    }

    private void remove(String holder, ObjectPath path) {
        TreeMap<String, Lease> byHolder = leases.get(path.toString());
        if (byHolder == null) {
            return;
        }
        Lease removed = byHolder.remove(holder);
        if (byHolder.isEmpty()) {
            leases.remove(path.toString());
        }
        if (removed != null) {
            count(removed.mode(), -1);
            pushes.values().removeIf(p -> p.leaseId() == removed.leaseId());
        }
    }

    private void downgrade(String holder, ObjectPath path) {
        Lease l = lease(holder, path);
        if (l != null && l.mode() == LockMode.EXCLUSIVE) {
            // A downgrade answers RECALL_SHARED; a RECALL_EXCLUSIVE stays outstanding.
            Optional<RecallKind> still = l.recalled().filter(k -> k == RecallKind.TO_NOTHING);
            put(l.withMode(LockMode.SHARED).withRecalled(still));
        }
    }

    private void renew(String holder) {
        renewableOf(holder).forEach(l -> put(l.withExpiry(now + leaseNanos)));
    }

    private List<Lease> renewableOf(String holder) {
        List<Lease> found = new ArrayList<>();
        for (TreeMap<String, Lease> byHolder : leases.values()) {
            Lease l = byHolder.get(holder);
            if (l != null && l.recalled().isEmpty()) {
                found.add(l);
            }
        }
        return found;
    }

    @Override
    public int renewable(String holder) {
        return renewableOf(holder).size();
    }

    private void extend(String holder, ObjectPath path) {
        Lease l = lease(holder, path);
        if (l != null) {
            put(l.withExpiry(now + leaseNanos));
        }
    }

    private void ack(long pushId) {
        LockReady.Recall push = pushes.remove(pushId);
        if (push == null) {
            return;
        }
        Lease l = lease(push.holder(), push.path());
        if (l == null || l.leaseId() != push.leaseId()) {
            return;
        }
        switch (push.kind()) {
            case TO_NOTHING -> remove(l.holder(), l.path());
            case TO_SHARED -> downgrade(l.holder(), l.path());
        }
    }

    private void gone(String holder) {
        for (Iterator<LockRequest> it = queue.iterator(); it.hasNext(); ) {
            LockRequest q = it.next();
            if (q.holder().equals(holder)) {
                it.remove();
                refusals.add(new LockReady.Refusal(q.requestId(), q.holder(), q.path(), LockReady.Reason.HOLDER_GONE));
            }
        }
    }

    private void tick(long nowNanos) {
        if (nowNanos < now) {
            throw new IllegalArgumentException("time went back: " + nowNanos + " < " + now);
        }
        now = nowNanos;
        if (now < nextExpiry) {
            return;
        }
        List<Lease> due = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (TreeMap<String, Lease> byHolder : leases.values()) {
            for (Lease l : byHolder.values()) {
                if (l.expiresAtNanos() <= now) {
                    due.add(l);
                } else {
                    next = Math.min(next, l.expiresAtNanos());
                }
            }
        }
        for (Lease l : due) {
            remove(l.holder(), l.path());
            expired++;
        }
        nextExpiry = next;
    }

    /** Grants what can be granted and recalls what blocks the requests that are next in line. */
    private void pump() {
        if (now < graceEnds) {
            return;
        }
        List<LockRequest> passed = new ArrayList<>();
        for (Iterator<LockRequest> it = queue.iterator(); it.hasNext(); ) {
            LockRequest q = it.next();
            if (passed.stream().anyMatch(q::conflictsWith)) {
                passed.add(q);
                continue;
            }
            List<Lease> blocking = overlapping(q.path(), q.scope()).stream().filter(q::conflictsWith).toList();
            if (blocking.isEmpty()) {
                it.remove();
                remove(q.holder(), q.path()); // an upgrade replaces the old lease, and its recalls go stale
                Lease granted = new Lease(nextLeaseId++, q.holder(), q.path(),
                        q.mode(), q.scope(), now + leaseNanos, Optional.empty());
                put(granted);
                grants.add(grant(q.requestId(), granted));
            } else {
                blocking.forEach(l -> recall(l, RecallKind.neededFor(q.mode(), l.mode())));
                passed.add(q);
            }
        }
    }

    private void recall(Lease l, RecallKind kind) {
        if (l.recalled().isPresent() && l.recalled().get().compareTo(kind) >= 0) {
            return;
        }
        LockReady.Recall push = new LockReady.Recall(nextPushId++, l.holder(), l.path(), l.leaseId(), kind);
        pushes.put(push.pushId(), push);
        recalls.add(push);
        put(l.withRecalled(Optional.of(kind)));
    }

    /** Leases whose coverage overlaps a lease on {@code path} with {@code scope}. */
    private List<Lease> overlapping(ObjectPath path, LockScope scope) {
        List<Lease> found = new ArrayList<>();
        for (ObjectPath p = path; ; p = p.parent()) {
            TreeMap<String, Lease> at = leases.get(p.toString());
            if (at != null) {
                for (Lease l : at.values()) {
                    if (p.equals(path) || l.scope() == LockScope.SUBTREE) {
                        found.add(l);
                    }
                }
            }
            if (p.isRoot()) {
                break;
            }
        }
        if (scope == LockScope.SUBTREE) {
            String key = path.toString();
            Map<String, TreeMap<String, Lease>> below = path.isRoot()
                    ? leases.tailMap(key, false) : leases.subMap(key + "/", true, key + "0", false);
            below.values().forEach(m -> found.addAll(m.values()));
        }
        return found;
    }

    @Override
    public Lease lease(String holder, ObjectPath path) {
        TreeMap<String, Lease> byHolder = leases.get(path.toString());
        return byHolder == null ? null : byHolder.get(holder);
    }

    private void put(Lease l) {
        nextExpiry = Math.min(nextExpiry, l.expiresAtNanos());
        Lease old = leases.computeIfAbsent(l.path().toString(), k -> new TreeMap<>()).put(l.holder(), l);
        if (old != null) {
            count(old.mode(), -1);
        }
        count(l.mode(), 1);
    }

    private void count(LockMode mode, int delta) {
        if (mode == LockMode.SHARED) {
            sharedHeld += delta;
        } else {
            exclusiveHeld += delta;
        }
    }

    @Override
    public int held(LockMode mode) {
        return mode == LockMode.SHARED ? sharedHeld : exclusiveHeld;
    }

    @Override
    public long expiredTotal() {
        return expired;
    }

    private static LockReady.Grant grant(long requestId, Lease l) {
        return new LockReady.Grant(requestId, l.holder(), l.path(), l.leaseId(), l.mode(), l.scope(), l.expiresAtNanos());
    }

    @Override
    public LockReady ready() {
        returnedRecalls = recalls.size();
        returnedGrants = grants.size();
        returnedRefusals = refusals.size();
        return new LockReady(recalls, grants, refusals);
    }

    @Override
    public void advance() {
        recalls.subList(0, returnedRecalls).clear();
        grants.subList(0, returnedGrants).clear();
        refusals.subList(0, returnedRefusals).clear();
        returnedRecalls = returnedGrants = returnedRefusals = 0;
    }

    @Override
    public long now() {
        return now;
    }

    @Override
    public long leaseNanos() {
        return leaseNanos;
    }

    @Override
    public long graceEndsAtNanos() {
        return graceEnds;
    }

    @Override
    public List<Lease> leases() {
        List<Lease> all = new ArrayList<>();
        leases.values().forEach(m -> all.addAll(m.values()));
        all.sort(Comparator.comparing(Lease::path).thenComparing(Lease::holder));
        return all;
    }

    @Override
    public List<LockRequest> queue() {
        return List.copyOf(queue);
    }
}
