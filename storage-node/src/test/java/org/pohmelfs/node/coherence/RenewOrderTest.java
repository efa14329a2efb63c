package org.pohmelfs.node.coherence;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.ObjectPath;

/**
 * RENEWED must not overtake a recall the node decided before the renewal. A gateway extends every
 * entry it holds when RENEWED arrives, while the node renews only leases that are not recalled;
 * so if the reply came first, the gateway went on serving the recalled entry after the node let
 * the lease run out and applied the conflicting write (a stale read, found by the multi-gateway
 * linearizability test). Recalls wait in the holder's outbox behind any grant whose reply has
 * not left yet; the renewal's reply now waits there too.
 */
class RenewOrderTest {

    @Test
    void renewedLeavesOnlyAfterTheRecallsDecidedBeforeIt() throws Exception {
        try (LeaseDriver driver = new LeaseDriver(Duration.ofSeconds(2), new LockMetrics(new SimpleMeterRegistry()),
                true, System::nanoTime, null)) {
            List<Message.Push> toGateway = new CopyOnWriteArrayList<>();
            LeaseDriver.Holder gateway = driver.connect("gw1", toGateway::add);
            LeaseDriver.Holder other = driver.connect("gw2", p -> { });

            // (the first grant waits out the start-up grace, at most one lease)
            LeaseDriver.Granted b = gateway.acquire(ObjectPath.parse("/b"), LockMode.SHARED, LockScope.OBJECT)
                    .get(10, TimeUnit.SECONDS);
            b.sent().complete(null); // its reply left
            // A grant whose reply has not left yet (the node still reads its attributes).
            LeaseDriver.Granted a = gateway.acquire(ObjectPath.parse("/a"), LockMode.SHARED, LockScope.OBJECT)
                    .get(10, TimeUnit.SECONDS);
            // Another gateway wants /b exclusively: the recall of gw1's /b waits behind /a's grant.
            CompletableFuture<LeaseDriver.Granted> wanted = other.acquire(ObjectPath.parse("/b"), LockMode.EXCLUSIVE,
                    LockScope.OBJECT);
            CompletableFuture<Integer> renewed = gateway.renew();

            // For a while nothing may move: no recall before /a's grant left, RENEWED behind the recall.
            org.awaitility.Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5))
                    .until(() -> toGateway.isEmpty() && !renewed.isDone() && !wanted.isDone());
            assertThat(toGateway).as("no recall sent before /a's grant left").isEmpty();
            assertThat(renewed).as("RENEWED waits behind the recall").isNotDone();
            assertThat(wanted).isNotDone();

            a.sent().complete(null);
            assertThat(renewed.get(10, TimeUnit.SECONDS)).as("renewed leases: /a only, /b is recalled").isEqualTo(1);
            assertThat(toGateway).as("the recall reached the gateway before RENEWED").hasSize(1);
            assertThat(toGateway.getFirst().path()).isEqualTo("/b");
        }
    }
}
