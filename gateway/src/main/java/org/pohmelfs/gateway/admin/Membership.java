package org.pohmelfs.gateway.admin;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.MapChangeRefused;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.ResyncProgress;
import org.pohmelfs.gateway.replication.MapSource;
import org.pohmelfs.gateway.replication.Replicas;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The admin API's operations on the membership (docs/admin.md): list the members with their
 * state, liveness, usage and resync progress; add a member (it joins RESYNCING); remove one
 * (the lock authority is handed to another IN_SYNC member first, and the answer waits for this
 * gateway's in-flight writes to the member to drain). Every change is a compare-and-set of the
 * map in ZooKeeper ({@link MapSource#change}); a static node list refuses them.
 */
public final class Membership {
    private static final Logger log = LoggerFactory.getLogger(Membership.class);
    /** How long one member may take to answer STATFS for the listing. */
    private static final Duration USAGE_TIMEOUT = Duration.ofSeconds(2);

    private final Replicas replicas;
    private final AdminMetrics metrics;
    private final Duration drainWait;

    /** {@code drainWait}: the longest a removal waits for in-flight writes (a write's own deadline bounds them). */
    public Membership(Replicas replicas, AdminMetrics metrics, Duration drainWait) {
        this.replicas = replicas;
        this.metrics = metrics;
        this.drainWait = drainWait;
    }

    private MapSource source() {
        return replicas.source();
    }

    /** The map this gateway uses now. */
    public ClusterMap map() {
        return replicas.map().orElseThrow(() -> new IllegalStateException("no cluster map yet"));
    }

    /** Every member with its state, liveness, usage and resync progress. */
    public Mono<AdminViews.Nodes> nodes() {
        return Mono.fromCallable(() -> {
                    ClusterMap m = map();
                    Optional<Set<String>> live = source().liveNodes();
                    Map<String, ResyncProgress> progress = source().progress().stream()
                            .collect(Collectors.toMap(ResyncProgress::node, Function.identity(), (a, b) -> b));
                    metrics.progress(List.copyOf(progress.values()));
                    return new Snapshot(m, live, progress);
                })
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(s -> Flux.fromIterable(s.map().members())
                        .flatMapSequential(member -> view(s, member))
                        .collectList()
                        .map(views -> new AdminViews.Nodes(s.map().epoch(), s.map().authority(), source().canFence(),
                                views)));
    }

    /** One member, or empty when the map has none of that id. */
    public Mono<AdminViews.Node> node(String id) {
        return nodes().flatMap(n -> Mono.justOrEmpty(n.nodes().stream().filter(v -> v.id().equals(id)).findFirst()));
    }

    private record Snapshot(ClusterMap map, Optional<Set<String>> live, Map<String, ResyncProgress> progress) {
    }

    private Mono<AdminViews.Node> view(Snapshot s, Member m) {
        Boolean live = s.live().map(l -> l.contains(m.id())).orElse(null);
        ResyncProgress p = s.progress().get(m.id());
        AdminViews.Progress progress = p == null ? null : AdminViews.Progress.of(p);
        return replicas.statfs(m, USAGE_TIMEOUT)
                .map(i -> new AdminViews.Node(m.id(), m.address(), m.state().name(), m.id().equals(s.map().authority()),
                        live, AdminViews.Usage.of(i), null, progress))
                .onErrorResume(e -> Mono.just(new AdminViews.Node(m.id(), m.address(), m.state().name(),
                        m.id().equals(s.map().authority()), live, null, e instanceof TimeoutException
                        ? "no answer within " + USAGE_TIMEOUT : String.valueOf(e.getMessage()), progress)));
    }

    /** Adds {@code id} at {@code host:port} as RESYNCING; returns the map afterwards. */
    public Mono<ClusterMap> add(String id, String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (id == null || id.isBlank() || colon <= 0) {
            return Mono.error(new IllegalArgumentException("a new node needs an id and an address host:port"));
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            return Mono.error(new IllegalArgumentException("not a port in '" + address + "'"));
        }
        String host = address.substring(0, colon);
        return change("add", () -> {
            ClusterMap after = source().change(m -> m.add(id, host, port));
            log.info("admin: added {} at {}:{} as RESYNCING, map epoch {}", id, host, port, after.epoch());
            return after;
        });
    }

    /**
     * Removes {@code id}: when it is the lock authority, first hands the authority to the first
     * other IN_SYNC member (its own map change, so gateways move their leases before the node
     * goes), then takes it out of the map, then waits (up to the drain wait) until this
     * gateway's writes that were already sent to it have settled.
     */
    public Mono<AdminViews.Removed> remove(String id) {
        return change("remove", () -> {
            boolean handed = false;
            ClusterMap before = source().change(m -> m); // the newest map, no write
            if (before.member(id).isEmpty()) {
                throw new MapChangeRefused(MapChangeRefused.Reason.UNKNOWN_MEMBER, "no member " + id + " in epoch "
                        + before.epoch());
            }
            if (before.authority().equals(id)) {
                ClusterMap handedOver = source().change(m -> {
                    if (!m.authority().equals(id)) {
                        return m;
                    }
                    Member next = m.readSet().stream().filter(x -> !x.id().equals(id)).findFirst()
                            .orElseThrow(() -> new MapChangeRefused(MapChangeRefused.Reason.LAST_IN_SYNC, "cannot remove "
                                    + id + ", the last IN_SYNC member"));
                    return m.handAuthorityTo(next.id());
                });
                handed = !handedOver.authority().equals(id);
                log.info("admin: lock authority handed from {} to {} at epoch {}", id, handedOver.authority(),
                        handedOver.epoch());
            }
            ClusterMap after = source().change(m -> m.member(id).isPresent() ? m.remove(id) : m);
            log.info("admin: removed {}, map epoch {}", id, after.epoch());
            boolean drained;
            try {
                replicas.drained(id).get(drainWait.toMillis(), TimeUnit.MILLISECONDS);
                drained = true;
            } catch (TimeoutException e) {
                drained = false;
                log.warn("admin: writes to {} still in flight after {}", id, drainWait);
            }
            return new AdminViews.Removed(id, after.epoch(), after.authority(), handed, drained);
        });
    }

    /** Runs a blocking change off the event loop, counting its outcome. */
    private <T> Mono<T> change(String action, java.util.concurrent.Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(Schedulers.boundedElastic())
                .doOnSuccess(v -> metrics.change(action, AdminMetrics.Outcome.OK))
                .doOnError(e -> metrics.change(action, e instanceof MapChangeRefused
                        || e instanceof MapSource.ChangeUnsupported || e instanceof IllegalArgumentException
                        ? AdminMetrics.Outcome.REFUSED : AdminMetrics.Outcome.FAILED));
    }
}
