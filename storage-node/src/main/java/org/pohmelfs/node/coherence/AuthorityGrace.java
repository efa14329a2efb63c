package org.pohmelfs.node.coherence;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The lock authority's grace (design.md §4.4), pure: time and inputs come in as arguments.
 *
 * <p>Contract: a node that follows a map in which it becomes the authority at epoch E (it was
 * not the authority in the map it followed before) is in grace until every live gateway entry
 * shows an applied epoch of at least E ({@link End#GATEWAYS}), or one lease duration L has passed
 * since it became authority ({@link End#TIMEOUT}), whichever comes first. While in grace the
 * node grants no lease and applies no mutation. The node's first map (at start) starts no grace:
 * the start grace (lease horizon) covers it. A grace ends without being counted when the node
 * stops being the authority meanwhile. Before any map this node counts as the authority (a node
 * without a cluster map answers lease requests, as before).
 *
 * <p>How: the gateways' entries are kept as last delivered; an entry set not yet delivered is
 * "unknown", and only a timeout ends a grace then. The check runs after every input.
 */
public final class AuthorityGrace {
    /** How a grace ended. */
    public enum End { GATEWAYS, TIMEOUT }

    /** A grace that ended: how, for which epoch, how long it lasted, and the gateways still below its epoch then. */
    public record Ended(End how, long epoch, long lengthNanos, SortedMap<String, Long> lagging) {
    }

    private final String self;
    private final long leaseNanos;
    private long mapEpoch;          // 0: no map followed yet
    private boolean authority = true;
    private long graceEpoch;        // E of the running grace, 0: none
    private long since;
    private SortedMap<String, Long> gateways; // null: not delivered yet

    /** @param self this node's id; @param leaseNanos L */
    public AuthorityGrace(String self, long leaseNanos) {
        this.self = self;
        this.leaseNanos = leaseNanos;
    }

    /** The node follows the map of {@code epoch}, naming {@code authorityId}. Older or equal epochs change nothing. */
    public Optional<Ended> map(long epoch, String authorityId, long nowNanos) {
        if (epoch <= mapEpoch) {
            return Optional.empty();
        }
        boolean first = mapEpoch == 0;
        boolean was = authority;
        mapEpoch = epoch;
        authority = self.equals(authorityId);
        if (!authority) {
            graceEpoch = 0; // not the authority any more: no grace to keep
            return Optional.empty();
        }
        if (!first && !was) {
            graceEpoch = epoch;
            since = nowNanos;
        }
        return check(nowNanos);
    }

    /** The gateways' entries now: gateway id to the epoch it has applied. */
    public Optional<Ended> gateways(Map<String, Long> applied, long nowNanos) {
        gateways = new TreeMap<>(applied);
        return check(nowNanos);
    }

    /** Time passes. */
    public Optional<Ended> tick(long nowNanos) {
        return check(nowNanos);
    }

    /** Whether a grace runs now (as of the last input). */
    public boolean active() {
        return graceEpoch != 0;
    }

    /** When the running grace ends at the latest (since + L); meaningless when none runs. */
    public long endsAtNanos() {
        return since + leaseNanos;
    }

    /** Whether this node is the authority in the map it follows (true before any map). */
    public boolean authority() {
        return authority;
    }

    /** The epoch of the map followed last; 0 before any. */
    public long mapEpoch() {
        return mapEpoch;
    }

    /** The gateways that hold the running grace up: those whose applied epoch is below its epoch. */
    public SortedMap<String, Long> lagging() {
        SortedMap<String, Long> out = new TreeMap<>();
        if (graceEpoch != 0 && gateways != null) {
            gateways.forEach((id, e) -> {
                if (e < graceEpoch) {
                    out.put(id, e);
                }
            });
        }
        return out;
    }

    private Optional<Ended> check(long nowNanos) {
        if (graceEpoch == 0) {
            return Optional.empty();
        }
        End how = null;
        if (gateways != null && gateways.values().stream().allMatch(e -> e >= graceEpoch)) {
            how = End.GATEWAYS;
        } else if (nowNanos - since >= leaseNanos) {
            how = End.TIMEOUT;
        }
        if (how == null) {
            return Optional.empty();
        }
        Ended ended = new Ended(how, graceEpoch, Math.min(nowNanos - since, leaseNanos), lagging());
        graceEpoch = 0;
        return Optional.of(ended);
    }
}
