package org.pohmelfs.cluster;

import static org.pohmelfs.cluster.MapChangeRefused.Reason.DUPLICATE_MEMBER;
import static org.pohmelfs.cluster.MapChangeRefused.Reason.LAST_IN_SYNC;
import static org.pohmelfs.cluster.MapChangeRefused.Reason.UNKNOWN_MEMBER;
import static org.pohmelfs.cluster.MapChangeRefused.Reason.WRONG_STATE;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The cluster map (design.md §4.1): the storage nodes in map order, each one's state, the
 * epoch, and the lock authority. Immutable; every value that exists satisfies the invariants:
 *
 * <ol>
 *   <li>the epoch is at least 1 (0 on the wire means "no map", protocol §6.3);</li>
 *   <li>member ids are unique, and so are their addresses;</li>
 *   <li>at least one member is IN_SYNC;</li>
 *   <li>the authority is an IN_SYNC member.</li>
 * </ol>
 *
 * <p>Transitions are pure functions. One that changes the map returns a new map at epoch + 1;
 * one that would change nothing (fencing a node that is OUT already) returns this same map, so
 * a store writes nothing and two gateways that fence the same node race harmlessly; one that
 * would break an invariant throws {@link MapChangeRefused}. The authority stays where it is
 * while it is IN_SYNC (moving it costs every gateway a lock grace period, §4.4); when it stops
 * being IN_SYNC it moves to the first IN_SYNC member in map order.
 *
 * @param epoch     increases by one on every change
 * @param members   in map order
 * @param authority id of the member that grants locks in this epoch
 */
public record ClusterMap(long epoch, List<Member> members, String authority) {
    public ClusterMap {
        members = List.copyOf(members);
        Objects.requireNonNull(authority, "authority");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be at least 1: " + epoch);
        }
        Set<String> ids = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        for (Member m : members) {
            if (!ids.add(m.id())) {
                throw new IllegalArgumentException("two members with id " + m.id());
            }
            if (!addresses.add(m.address())) {
                throw new IllegalArgumentException("two members at " + m.address());
            }
        }
        if (members.stream().noneMatch(m -> m.state() == MemberState.IN_SYNC)) {
            throw new IllegalArgumentException("no IN_SYNC member");
        }
        if (members.stream().noneMatch(m -> m.id().equals(authority) && m.state() == MemberState.IN_SYNC)) {
            throw new IllegalArgumentException("authority " + authority + " is not an IN_SYNC member");
        }
    }

    /** The first map of a new cluster: every member IN_SYNC, epoch 1, the first one the authority. */
    public static ClusterMap bootstrap(List<Member> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one member");
        }
        List<Member> inSync = members.stream().map(m -> m.withState(MemberState.IN_SYNC)).toList();
        return new ClusterMap(1, inSync, inSync.getFirst().id());
    }

    public Optional<Member> member(String id) {
        return members.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /** Members in {@code state}, in map order. */
    public List<Member> inState(MemberState state) {
        return members.stream().filter(m -> m.state() == state).toList();
    }

    /** Where reads may go: the IN_SYNC members, in map order. */
    public List<Member> readSet() {
        return inState(MemberState.IN_SYNC);
    }

    /** Where writes go (§4.2): IN_SYNC and RESYNCING members, in map order. */
    public List<Member> writeSet() {
        return members.stream().filter(m -> m.state() != MemberState.OUT).toList();
    }

    /** The lock authority's member entry. */
    public Member authorityMember() {
        return member(authority).orElseThrow();
    }

    /** Marks {@code id} OUT (it failed a write or disagreed). Refused for the last IN_SYNC member. */
    public ClusterMap fence(String id) {
        Member m = require(id);
        if (m.state() == MemberState.OUT) {
            return this;
        }
        requireNotLastInSync(m, "fence");
        return replace(id, s -> s.withState(MemberState.OUT));
    }

    /** Adds a new member at the end of the map as RESYNCING: it receives writes and catches up. */
    public ClusterMap add(String id, String host, int port) {
        Member added = new Member(id, host, port, MemberState.RESYNCING);
        for (Member m : members) {
            if (m.id().equals(id) || m.address().equals(added.address())) {
                throw new MapChangeRefused(DUPLICATE_MEMBER, id + " at " + added.address() + " clashes with " + m);
            }
        }
        List<Member> next = new ArrayList<>(members);
        next.add(added);
        return next(next);
    }

    /** An OUT member starts catching up (design.md §5): OUT to RESYNCING. */
    public ClusterMap resync(String id) {
        Member m = require(id);
        return switch (m.state()) {
            case RESYNCING -> this;
            case OUT -> replace(id, s -> s.withState(MemberState.RESYNCING));
            case IN_SYNC -> throw new MapChangeRefused(WRONG_STATE, id + " is IN_SYNC, nothing to resync");
        };
    }

    /** A member that finished its resync joins the in-sync set: RESYNCING to IN_SYNC. */
    public ClusterMap promote(String id) {
        Member m = require(id);
        return switch (m.state()) {
            case IN_SYNC -> this;
            case RESYNCING -> replace(id, s -> s.withState(MemberState.IN_SYNC));
            case OUT -> throw new MapChangeRefused(WRONG_STATE, id + " is OUT and must resync first");
        };
    }

    /** Takes {@code id} out of the map. Refused for the last IN_SYNC member. */
    public ClusterMap remove(String id) {
        Member m = require(id);
        requireNotLastInSync(m, "remove");
        List<Member> next = new ArrayList<>(members);
        next.remove(m);
        return next(next);
    }

    /** Hands the lock authority to {@code id}, which must be IN_SYNC. */
    public ClusterMap handAuthorityTo(String id) {
        Member m = require(id);
        if (m.state() != MemberState.IN_SYNC) {
            throw new MapChangeRefused(WRONG_STATE, id + " is " + m.state() + ", only an IN_SYNC member grants locks");
        }
        return id.equals(authority) ? this : new ClusterMap(Math.addExact(epoch, 1), members, id);
    }

    private Member require(String id) {
        return member(id).orElseThrow(() -> new MapChangeRefused(UNKNOWN_MEMBER, "no member " + id + " in epoch " + epoch));
    }

    private void requireNotLastInSync(Member m, String what) {
        if (m.state() == MemberState.IN_SYNC && readSet().size() == 1) {
            throw new MapChangeRefused(LAST_IN_SYNC, "cannot " + what + " " + m.id() + ", the last IN_SYNC member");
        }
    }

    private ClusterMap replace(String id, UnaryOperator<Member> change) {
        return next(members.stream().map(m -> m.id().equals(id) ? change.apply(m) : m).toList());
    }

    private ClusterMap next(List<Member> nextMembers) {
        boolean keeps = nextMembers.stream().anyMatch(m -> m.id().equals(authority) && m.state() == MemberState.IN_SYNC);
        String nextAuthority = keeps ? authority : nextMembers.stream()
                .filter(m -> m.state() == MemberState.IN_SYNC).findFirst().orElseThrow().id();
        return new ClusterMap(Math.addExact(epoch, 1), nextMembers, nextAuthority);
    }
}
