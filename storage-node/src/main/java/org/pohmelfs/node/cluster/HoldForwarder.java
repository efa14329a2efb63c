package org.pohmelfs.node.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.zk.ClusterMapStore;
import org.pohmelfs.node.coherence.HeldWrite;
import org.pohmelfs.node.coherence.LeaseDriver;
import org.pohmelfs.placement.ReplyForm;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a held write whose hold ended without UNHOLD to the other IN_SYNC members of the
 * current map, and fences those that fail or disagree, before its locks go (design.md §4.7).
 *
 * <p>The write goes under the writer's identity: a client with the writer's peer id and
 * incarnation sends the same request (same txid, the original epoch), so rule B gives the same
 * stamps (§4.5) and a member that applied it already answers from its reply cache (protocol
 * §6.2). Per member: a lost connection or BUSY is resent until {@code timeout}; STALE_EPOCH
 * (the map moved since the write) is resent at the newest map's epoch, once per map change, as a
 * gateway does. A member that has not replied alike by then is fenced by compare-and-set of the
 * map ({@link ClusterMapStore#update}, the same transition a gateway uses: no second election).
 * The map is read afresh ({@code readLatest}) before anything is sent. Each forward runs on its
 * own virtual thread.
 */
public final class HoldForwarder implements LeaseDriver.Forwarder {
    private static final Logger log = LoggerFactory.getLogger(HoldForwarder.class);
    private static final int MAX_MAP_CHANGES = 8;

    private final String self;
    private final ClusterMapStore store;
    private final ClientSettings base;
    private final Duration timeout;
    private final Counter forwarded;
    private final Counter agreed;
    private final Counter fenced;
    private final Counter skipped;
    private final Counter failed;

    /**
     * @param self    this node's id in the map
     * @param base    how to reach peers (cluster, link, TLS); the peer id is replaced by the writer's
     * @param timeout how long one member may take to take the write (resends included)
     */
    public HoldForwarder(String self, ClusterMapStore store, ClientSettings base, Duration timeout,
                         MeterRegistry registry) {
        this.self = self;
        this.store = store;
        this.base = base;
        this.timeout = timeout;
        this.forwarded = Counter.builder("pohmelfs.node.holds.forwarded")
                .description("held writes forwarded to the other in-sync members after their hold ended without UNHOLD")
                .register(registry);
        this.agreed = Counter.builder("pohmelfs.node.holds.forward.members").tag("result", "agreed")
                .description("members a held write was forwarded to, by outcome").register(registry);
        this.fenced = Counter.builder("pohmelfs.node.holds.forward.members").tag("result", "fenced")
                .description("members a held write was forwarded to, by outcome").register(registry);
        this.skipped = Counter.builder("pohmelfs.node.holds.forward.skipped")
                .description("held writes not forwarded: this node was not IN_SYNC in the map").register(registry);
        this.failed = Counter.builder("pohmelfs.node.holds.forward.failed")
                .description("forwards that could not finish (the map could not be read or changed)").register(registry);
    }

    @Override
    public void forward(HeldWrite write, Runnable done) {
        Thread.ofVirtual().name("hold-forward-" + write.request().txid()).start(() -> {
            try {
                forwardNow(write);
            } catch (Exception e) {
                failed.increment();
                log.error("forwarding held transaction {} of {} failed; its locks are released: {}",
                        write.request().txid(), write.peerId(), e.toString());
            } finally {
                done.run();
            }
        });
    }

    /** Blocking: sends the write to every other IN_SYNC member, then fences those that did not take it alike. */
    void forwardNow(HeldWrite write) throws Exception {
        ClusterMap map = latest();
        switch (ForwardPlan.targets(map, self)) {
            case ForwardPlan.Targets.Skip s -> {
                skipped.increment();
                log.warn("held transaction {} of {} not forwarded: {}", write.request().txid(), write.peerId(),
                        s.reason());
            }
            case ForwardPlan.Targets.Forward f -> {
                forwarded.increment();
                send(write, f.members());
            }
        }
    }

    private void send(HeldWrite write, List<Member> members) throws Exception {
        ClientSettings settings = new ClientSettings(write.peerId(), base.clusterName(), base.link(), base.tls(),
                base.connectTimeout(), timeout, base.features());
        NodeClient client = new NodeClient(settings, write.incarnation());
        Map<String, ReplyForm> replied = new ConcurrentHashMap<>();
        Set<String> failures = ConcurrentHashMap.newKeySet();
        List<Thread> threads = members.stream().map(m -> Thread.ofVirtual().start(() -> {
            try {
                replied.put(m.id(), ReplyForm.of(sendUntilDeadline(client, m, write.request())));
            } catch (Exception e) {
                log.warn("forwarding transaction {} of {} to {} failed: {}", write.request().txid(), write.peerId(),
                        m.id(), e.toString());
                failures.add(m.id());
            }
        })).toList();
        for (Thread t : threads) {
            t.join();
        }
        Set<String> fence = ForwardPlan.toFence(members, ReplyForm.of(write.reply()), replied, failures);
        agreed.increment(members.size() - fence.size());
        if (fence.isEmpty()) {
            log.info("held transaction {} of {} forwarded to {}: every member has it", write.request().txid(),
                    write.peerId(), members.stream().map(Member::id).toList());
            return;
        }
        ClusterMap after = store.update(m -> ForwardPlan.fence(m, fence));
        fenced.increment(fence.size());
        log.warn("held transaction {} of {}: fenced {} (failed {}, replies {} against ours {}); map epoch {}",
                write.request().txid(), write.peerId(), fence, failures, replied, ReplyForm.of(write.reply()),
                after.epoch());
    }

    /** One member's reply to the write, resent after a lost connection or BUSY, and at a newer epoch after STALE_EPOCH. */
    private Message.Reply sendUntilDeadline(NodeClient client, Member m, Message.Request original) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Message.Request request = original;
        int mapChanges = 0;
        long backoff = 20;
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (NodeConnection c = client.connect(new InetSocketAddress(m.host(), m.port()))
                    .get(remaining(deadline), TimeUnit.NANOSECONDS)) {
                while (true) {
                    Message.Reply reply = c.send(request).get(remaining(deadline), TimeUnit.NANOSECONDS);
                    Result.Error e = reply.firstError();
                    if (e != null && e.code() == ErrorCode.STALE_EPOCH && mapChanges++ < MAX_MAP_CHANGES) {
                        request = new Message.Request(original.txid(), latest().epoch(), original.commands());
                        continue;
                    }
                    if (e != null && e.code() == ErrorCode.BUSY) {
                        last = new IllegalStateException(m.id() + " is busy: " + e.message());
                        break;
                    }
                    return reply;
                }
            } catch (ExecutionException e) {
                last = e.getCause() instanceof Exception x ? x : e;
            } catch (TimeoutException e) {
                last = e;
                break;
            }
            // Resend backoff (20 ms doubling to 200 ms, as the gateway's write resends), never past the
            // deadline. Blocking is fine here: a forward runs on its own virtual thread, never on an event loop.
            Thread.sleep(Math.min(backoff, Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining(deadline)))));
            backoff = Math.min(backoff * 2, 200);
        }
        throw last != null ? last : new TimeoutException("no reply from " + m.id() + " within " + timeout);
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }

    private ClusterMap latest() throws Exception {
        return store.readLatest().orElseThrow(() -> new IllegalStateException("no cluster map at " + store.mapPath()))
                .map();
    }
}
