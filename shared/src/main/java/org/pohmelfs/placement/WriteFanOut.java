package org.pohmelfs.placement;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;

/**
 * Tracks one mutating transaction sent to every member of the write set (design.md §4.2) and
 * says what the gateway does next.
 *
 * <ul>
 *   <li>{@link Pending} while an IN_SYNC member has neither replied nor failed. RESYNCING
 *       members are not waited for.</li>
 *   <li>{@link Ack} once every IN_SYNC member has settled and at least one replied. The
 *       <em>reference</em> is the lock authority's result if it replied, otherwise the result of
 *       the first member in map order that replied (the member the authority moves to once the
 *       ones that failed are fenced, see {@link ClusterMap}). {@code fenceFirst} holds every
 *       member that failed or whose result differs from the reference, IN_SYNC and RESYNCING
 *       alike; the gateway compares-and-sets them OUT, and only then answers the client with
 *       the reference. When every member agrees it is empty and the gateway answers at once,
 *       also when they agree on an error (that error is the answer).</li>
 *   <li>{@link Unavailable} when every IN_SYNC member failed: nothing can be acknowledged and
 *       nobody is fenced (the fault may be the gateway's own); the client gets an error.</li>
 * </ul>
 *
 * <p>A RESYNCING member that settles after the decision is reported by {@link #late}: fence it
 * when it failed (a result that differs is not fenced, as above). Results are compared with {@code equals}, so the caller passes a
 * form that replicas must agree on (say the per-command result codes and versions, not
 * mtimes). Timeouts are the caller's: it records {@link #failed} at its deadline. Pure,
 * deterministic, independent of the order in which outcomes arrive; not thread-safe.
 *
 * @param <R> the comparable form of a node's reply
 */
public final class WriteFanOut<R> {
    /** What the gateway does next. */
    public sealed interface Decision<R> permits Pending, Ack, Unavailable {
    }

    /** Still waiting for these IN_SYNC members. */
    public record Pending<R>(Set<String> waitingFor) implements Decision<R> {
    }

    /**
     * Fence {@code fenceFirst} (if any), then answer with {@code reference}.
     *
     * @param referenceNode whose result is the reference
     * @param diverged RESYNCING members whose result differs from the reference: not fenced
     */
    public record Ack<R>(R reference, String referenceNode, Set<String> fenceFirst, Set<String> diverged)
            implements Decision<R> {
        /** An acknowledgement with no RESYNCING member diverged. */
        public Ack(R reference, String referenceNode, Set<String> fenceFirst) {
            this(reference, referenceNode, fenceFirst, Set.of());
        }
    }

    /** No IN_SYNC member answered. */
    public record Unavailable<R>(Map<String, String> failures) implements Decision<R> {
    }

    private final List<Member> writeSet;
    private final String authority;
    private final Map<String, R> replies = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();

    /** A fan-out to the write set of {@code map}. */
    public WriteFanOut(ClusterMap map) {
        this.writeSet = map.writeSet();
        this.authority = map.authority();
    }

    /** The nodes to send the transaction to, in map order. */
    public List<String> targets() {
        return writeSet.stream().map(Member::id).toList();
    }

    /** {@code node} replied with {@code result}. */
    public Decision<R> replied(String node, R result) {
        requireTarget(node);
        replies.put(node, Objects.requireNonNull(result, "result"));
        failures.remove(node);
        return decision();
    }

    /** {@code node} timed out, or its connection failed, before replying. */
    public Decision<R> failed(String node, String why) {
        requireTarget(node);
        if (!replies.containsKey(node)) {
            failures.put(node, why);
        }
        return decision();
    }

    /** The decision on what has been recorded so far. */
    public Decision<R> decision() {
        Set<String> waiting = new LinkedHashSet<>();
        for (Member m : writeSet) {
            if (m.state() == MemberState.IN_SYNC && !settled(m.id())) {
                waiting.add(m.id());
            }
        }
        if (!waiting.isEmpty()) {
            return new Pending<>(Set.copyOf(waiting));
        }
        Optional<String> ref = referenceNode();
        if (ref.isEmpty()) {
            return new Unavailable<>(Map.copyOf(failures));
        }
        R reference = replies.get(ref.get());
        Set<String> fence = new LinkedHashSet<>();
        Set<String> diverged = new LinkedHashSet<>();
        for (Member m : writeSet) {
            boolean differs = replies.containsKey(m.id()) && !replies.get(m.id()).equals(reference);
            if (failures.containsKey(m.id()) || differs && m.state() == MemberState.IN_SYNC) {
                fence.add(m.id());
            } else if (differs) {
                diverged.add(m.id());
            }
        }
        return new Ack<>(reference, ref.get(), Set.copyOf(fence), Set.copyOf(diverged));
    }

    /**
     * After an {@link Ack}: whether a RESYNCING member that settled since must be fenced (it
     * failed; a result that differs from the reference is repaired by its resync instead).
     */
    public boolean late(String node) {
        if (!(decision() instanceof Ack<R> ack)) {
            throw new IllegalStateException("no acknowledgement yet");
        }
        return ack.fenceFirst().contains(node);
    }

    private Optional<String> referenceNode() {
        if (replies.containsKey(authority)) {
            return Optional.of(authority);
        }
        return writeSet.stream().filter(m -> m.state() == MemberState.IN_SYNC).map(Member::id)
                .filter(replies::containsKey).findFirst();
    }

    private boolean settled(String node) {
        return replies.containsKey(node) || failures.containsKey(node);
    }

    private void requireTarget(String node) {
        if (writeSet.stream().noneMatch(m -> m.id().equals(node))) {
            throw new IllegalArgumentException(node + " is not in the write set");
        }
    }
}
