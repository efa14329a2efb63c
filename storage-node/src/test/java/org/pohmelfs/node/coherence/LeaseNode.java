package org.pohmelfs.node.coherence;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.LeaseListener;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.node.config.TransactionExecutor;
import org.pohmelfs.node.server.IoExecutor;
import org.pohmelfs.node.server.NodeMetrics;
import org.pohmelfs.node.server.NodeServer;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.node.txn.TransactionManager;
import org.pohmelfs.protocol.LinkPolicy;
import reactor.core.publisher.Mono;

/**
 * A real storage node in this JVM on a free loopback port (store, transaction manager, server,
 * lease driver with invariant checks), and real client connections to it.
 */
final class LeaseNode implements AutoCloseable {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final TransactionManager transactions;
    final IoExecutor io = new IoExecutor(16);
    final LeaseDriver driver;
    final NodeServer server;
    private final List<AutoCloseable> open = new ArrayList<>();

    /**
     * @param skipGrace start the driver's clock one lease duration ahead, so the grace period is
     *                  already over (only the grace test needs it)
     */
    LeaseNode(Path export, Duration lease, boolean skipGrace) throws Exception {
        this(export, lease, skipGrace, true, true);
    }

    /**
     * @param leases          false: a node without a lease driver (for comparisons)
     * @param checkInvariants check the lock table's invariants after every step (off only to measure)
     */
    LeaseNode(Path export, Duration lease, boolean skipGrace, boolean leases, boolean checkInvariants)
            throws Exception {
        this(export, lease, skipGrace, leases, checkInvariants, true, false);
    }

    /** @param holds offer the hold feature (design.md §4.7) */
    LeaseNode(Path export, Duration lease, boolean skipGrace, boolean leases, boolean checkInvariants, boolean holds)
            throws Exception {
        this(export, lease, skipGrace, leases, checkInvariants, holds, true);
    }

    private LeaseNode(Path export, Duration lease, boolean skipGrace, boolean leases, boolean checkInvariants,
                      boolean holds, boolean holdsGiven) throws Exception {
        transactions = TransactionManager.open(new StoreSettings(export, 0, false, false, 1000));
        long shift = skipGrace ? lease.toNanos() : 0;
        // The hold tests keep a lease horizon: a fresh export has none, so there is no grace period
        // to wait out, and their long L (nothing expires unless a test waits for it) costs nothing.
        LeaseHorizon horizon = holdsGiven ? LeaseHorizon.open(export.resolve(".pohmelfs"), lease, System::currentTimeMillis)
                : null;
        driver = leases ? new LeaseDriver(lease, new LockMetrics(registry), checkInvariants, () -> System.nanoTime() + shift,
                horizon) : null;
        server = new NodeServer(new NodeServer.Settings("n1", "test", "127.0.0.1", 0, LinkPolicy.defaults(), null,
                64), new TransactionExecutor(transactions), io, new NodeMetrics(registry), driver,
                org.pohmelfs.node.cluster.EpochFence.standalone(), holds);
        server.start();
    }

    InetSocketAddress address() {
        return server.address();
    }

    /** A connection with leases whose listener records recalls and answers each with {@code answer}. */
    Client client(String id, Function<LeaseListener.Recall, Mono<Void>> answer) {
        return client(new NodeClient(ClientSettings.defaults(id, "test")), new Client(id, answer));
    }

    /** Connects {@code c} through {@code client} (one client process seeing several nodes or restarts). */
    Client client(NodeClient client, Client c) {
        c.connection = client.connectWithLeases(address(), c).orTimeout(10, TimeUnit.SECONDS).join();
        open.add(c.connection);
        return c;
    }

    /** A connection that acknowledges every recall at once. */
    Client client(String id) {
        return client(id, r -> Mono.empty());
    }

    /** A connection without leases (a non-caching client, a tool, an old gateway). */
    NodeConnection plain(String id) {
        NodeConnection c = new NodeClient(new ClientSettings(id, "test", LinkPolicy.defaults(), null,
                Duration.ofSeconds(5), Duration.ofSeconds(30), Set.of())).connectBlocking(address());
        open.add(c);
        return c;
    }

    static final class Client implements LeaseListener {
        final String id;
        final List<Recall> recalls = new CopyOnWriteArrayList<>();
        final List<Long> renewals = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        private final Function<Recall, Mono<Void>> answer;
        NodeConnection connection;

        Client(String id, Function<Recall, Mono<Void>> answer) {
            this.id = id;
            this.answer = answer;
        }

        @Override
        public Mono<Void> recall(Recall recall) {
            recalls.add(recall);
            return answer.apply(recall);
        }

        @Override
        public void renewed(long sentAtNanos, int count, long durationNanos) {
            renewals.add(sentAtNanos);
        }

        @Override
        public void lost(org.pohmelfs.client.NodeException why) {
            events.add("lost");
        }

        @Override
        public void renewRefused(org.pohmelfs.client.NodeException why) {
            events.add("renew refused " + why.code());
        }

        @Override
        public void incarnationChanged(String nodeId, long before, long now) {
            events.add("restarted " + nodeId);
        }
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        server.close();
        if (driver != null) {
            driver.close();
        }
        io.close();
        transactions.close();
    }
}
