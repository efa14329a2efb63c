package org.pohmelfs.gateway.replication;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.zk.ClusterMapStore;
import org.pohmelfs.cluster.zk.ZkClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster map kept in ZooKeeper ({@link ClusterMapStore}): watched, read again after a
 * STALE_EPOCH, and changed by compare-and-set when this gateway fences a node. Each map this
 * gateway has applied is published in its gateway entry ({@link ClusterMapStore.GatewayEntry}),
 * which a new lock authority waits for (design.md §4.4).
 */
public final class ZooKeeperMapSource extends MapSource {
    private static final Logger log = LoggerFactory.getLogger(ZooKeeperMapSource.class);

    private final CuratorFramework client;
    private final ClusterMapStore store;
    private final ClusterMapStore.Watch watch;
    private final ClusterMapStore.GatewayEntry entry;
    /** Writes the gateway entry off the caller's thread (a Curator thread), newest epoch last. */
    private final java.util.concurrent.ExecutorService publisher = java.util.concurrent.Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("gateway-entry").factory());

    /**
     * Connects, starts watching the map of {@code cluster}, and waits up to {@code firstMapWait}
     * for the first map; without one the gateway starts anyway and is not ready until one comes.
     */
    public ZooKeeperMapSource(String connect, Duration sessionTimeout, String cluster, String gatewayId,
                              Duration firstMapWait) {
        this.client = ZkClients.start(connect, sessionTimeout);
        this.store = new ClusterMapStore(client, cluster);
        this.entry = store.gatewayEntry(gatewayId);
        CountDownLatch first = new CountDownLatch(1);
        listen(m -> first.countDown());
        this.watch = store.watch(m -> {
            ClusterMap held = offer(m);
            if (held == m) {
                log.info("cluster map epoch {}: authority {}, members {}", m.epoch(), m.authority(), m.members());
            }
        });
        try {
            if (!first.await(firstMapWait.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("no cluster map at {} after {}: not ready until one appears", store.mapPath(), firstMapWait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void onSession(java.util.function.Consumer<Boolean> listener) {
        java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
        client.getConnectionStateListenable().addListener((c, state) -> {
            long mine = generation.incrementAndGet();
            switch (state) {
                case SUSPENDED, LOST, READ_ONLY -> {
                    log.warn("ZooKeeper connection {}: this gateway cannot learn that the lock authority moves", state);
                    listener.accept(false);
                }
                // The newest map first (a move missed meanwhile is applied before anything is cached again),
                // read again with a backoff until it succeeds or a later state change takes over.
                case CONNECTED, RECONNECTED -> reactor.core.publisher.Mono.fromCallable(this::refresh)
                        .doOnError(e -> log.warn("re-reading the cluster map after reconnecting: {}", e.toString()))
                        .retryWhen(reactor.util.retry.Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(50))
                                .maxBackoff(Duration.ofSeconds(2)).filter(e -> generation.get() == mine))
                        .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic())
                        .subscribe(m -> {
                            if (generation.get() == mine) {
                                listener.accept(true);
                            }
                        }, e -> log.debug("map re-read after reconnecting abandoned: {}", e.toString()));
            }
        });
    }

    @Override
    void applied(ClusterMap map) {
        try {
            publisher.execute(() -> {
                try {
                    entry.applied(map.epoch());
                } catch (Exception e) {
                    // A new authority then waits out its full grace (L) for this gateway.
                    log.warn("publishing applied epoch {} in {}: {}", map.epoch(), entry.path(), e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            log.debug("closed: epoch {} not published", map.epoch());
        }
    }

    /** The epoch this gateway's entry shows (written or being written), for tests and diagnostics. */
    public long publishedEpoch() {
        return entry.epoch();
    }

    @Override
    public long wireEpoch(ClusterMap map) {
        return map.epoch();
    }

    @Override
    public boolean canFence() {
        return true;
    }

    @Override
    public ClusterMap fence(Set<String> nodes) throws Exception {
        ClusterMap after = store.update(m -> {
            ClusterMap next = m;
            for (String id : nodes) {
                // A member removed meanwhile (by the admin API) is out of every set already: nothing to fence.
                if (next.member(id).isPresent()) {
                    next = next.fence(id);
                }
            }
            return next;
        });
        log.warn("fenced {}: map epoch {}", nodes, after.epoch());
        return offer(after);
    }

    @Override
    public ClusterMap refresh() throws Exception {
        return offer(store.readLatest().orElseThrow(() -> new IllegalStateException("no cluster map at "
                + store.mapPath())).map());
    }

    @Override
    public ClusterMap change(java.util.function.UnaryOperator<ClusterMap> change) throws Exception {
        return offer(store.update(change));
    }

    @Override
    public java.util.Optional<Set<String>> liveNodes() throws Exception {
        return java.util.Optional.of(new java.util.TreeSet<>(store.liveNodes()));
    }

    @Override
    public java.util.List<org.pohmelfs.cluster.ResyncProgress> progress() throws Exception {
        return store.progress();
    }

    @Override
    public void close() {
        watch.close();
        publisher.shutdown();
        try {
            publisher.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        entry.close();
        client.close();
    }
}
