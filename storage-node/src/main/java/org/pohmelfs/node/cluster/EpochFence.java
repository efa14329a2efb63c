package org.pohmelfs.node.cluster;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of epoch fencing (protocol §6.3, design.md §4.2): the cluster epoch this
 * node acts in, and the verdict on each request's epoch.
 *
 * <table>
 *   <caption>Verdicts</caption>
 *   <tr><th>request epoch</th><th>verdict</th></tr>
 *   <tr><td>0</td><td>{@code ADMIT}, or {@code STALE} when the fence refuses unfenced requests and the node has a map</td></tr>
 *   <tr><td>= node's</td><td>{@code ADMIT}</td></tr>
 *   <tr><td>&lt; node's</td><td>{@code STALE}: answer STALE_EPOCH, apply nothing</td></tr>
 *   <tr><td>&gt; node's</td><td>{@code REFRESH}: learn the epoch first ({@link #refresh}), off the event loop</td></tr>
 * </table>
 *
 * <p>Where the epoch comes from: with a {@link MapEpochs} source (the cluster map in
 * ZooKeeper) the node raises its epoch from the map's watch ({@link #observe}) and, on a
 * request from the future, by reading the map; it never trusts a request's epoch on its own.
 * Without a source (a node outside any cluster map) it adopts the request's epoch. The epoch
 * only rises. Thread-safe.
 *
 * <p>Out of session: while a following node has no ZooKeeper session ({@link #sessionLost}),
 * it cannot tell whether it has been fenced out meanwhile, so every request gets {@code BUSY}
 * until {@link #sessionRestored} (design.md §4.6).
 */
public final class EpochFence {
    /** What the session does with a request. */
    public enum Verdict { ADMIT, STALE, REFRESH, BUSY }

    /** Reads the current map's epoch (blocking; linearised with the map's writes). */
    @FunctionalInterface
    public interface MapEpochs {
        long currentEpoch() throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(EpochFence.class);

    private final AtomicLong epoch;
    private final MapEpochs source;
    private final boolean refuseUnfenced;
    private volatile boolean inSession = true;
    private volatile boolean inSync = true;

    private EpochFence(long initial, MapEpochs source, boolean refuseUnfenced) {
        this.epoch = new AtomicLong(initial);
        this.source = source;
        this.refuseUnfenced = refuseUnfenced;
    }

    /** A node without a cluster map: epoch 0 until a request names a higher one. */
    public static EpochFence standalone() {
        return new EpochFence(0, null, false);
    }

    /**
     * A node that follows the cluster map.
     *
     * @param initial        the map's epoch when the node started
     * @param source         reads the map's current epoch
     * @param refuseUnfenced refuse requests with epoch 0 (gateways that act without a map)
     */
    public static EpochFence following(long initial, MapEpochs source, boolean refuseUnfenced) {
        return new EpochFence(initial, source, refuseUnfenced);
    }

    /**
     * Whether the node may answer reads: false while its member is not IN_SYNC in the map (it is
     * OUT or catching up, design.md §5), so a read that reaches it anyway gets BUSY.
     */
    public boolean readable() {
        return inSync;
    }

    /** Set from the map: whether this node's member is IN_SYNC (or the map does not list it). */
    public void inSync(boolean inSync) {
        if (this.inSync != inSync) {
            LOG.info("reads {}", inSync ? "served (IN_SYNC)" : "refused with BUSY (not IN_SYNC)");
        }
        this.inSync = inSync;
    }

    /** The epoch now (what WELCOME reports). */
    public long epoch() {
        return epoch.get();
    }

    /** Raises the epoch to {@code mapEpoch} if that is higher (a map the node was told of). */
    public void observe(long mapEpoch) {
        long before = epoch.getAndAccumulate(mapEpoch, Math::max);
        if (mapEpoch > before) {
            LOG.info("cluster epoch {} -> {}", before, mapEpoch);
        }
    }

    /** The verdict on a request's epoch, without blocking; {@code BUSY} only out of session. */
    public Verdict check(long requestEpoch) {
        return inSession ? decide(epoch.get(), requestEpoch, refuseUnfenced) : Verdict.BUSY;
    }

    /** Whether the node serves: false between {@link #sessionLost} and {@link #sessionRestored}. */
    public boolean serving() {
        return inSession;
    }

    /** The node's ZooKeeper session is gone or disconnected: refuse everything. */
    public void sessionLost() {
        if (inSession) {
            LOG.warn("no ZooKeeper session: refusing every request until it is back");
        }
        inSession = false;
    }

    /** A session again, and the map read in it is at {@code mapEpoch}: serve again. */
    public void sessionRestored(long mapEpoch) {
        observe(mapEpoch);
        if (!inSession) {
            LOG.info("ZooKeeper session back at epoch {}: serving", epoch.get());
        }
        inSession = true;
    }

    /** The pure decision table above. */
    static Verdict decide(long nodeEpoch, long requestEpoch, boolean refuseUnfenced) {
        if (requestEpoch == 0) {
            return refuseUnfenced && nodeEpoch > 0 ? Verdict.STALE : Verdict.ADMIT;
        }
        if (requestEpoch == nodeEpoch) {
            return Verdict.ADMIT;
        }
        return requestEpoch < nodeEpoch ? Verdict.STALE : Verdict.REFRESH;
    }

    /**
     * For a request from a later epoch: learns the epoch (from the map, or, with no map,
     * from the request), then decides again. {@code BUSY} when the map cannot be read or has
     * not reached the request's epoch. Blocking: call it off the event loop.
     */
    public Verdict refresh(long requestEpoch) {
        if (!inSession) {
            return Verdict.BUSY;
        }
        if (source == null) {
            observe(requestEpoch);
        } else {
            try {
                observe(source.currentEpoch());
            } catch (Exception e) {
                LOG.warn("cannot read the cluster map to learn epoch {}: {}", requestEpoch, e.toString());
                return Verdict.BUSY;
            }
        }
        Verdict again = check(requestEpoch);
        return again == Verdict.REFRESH ? Verdict.BUSY : again;
    }
}
