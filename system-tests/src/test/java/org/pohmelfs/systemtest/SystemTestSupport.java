package org.pohmelfs.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.awaitility.Awaitility;

/** What both system tests share: the images under test, free ports, waiting, checking. */
final class SystemTestSupport {
    private SystemTestSupport() {
    }

    static String nodeImage() {
        return required("pohmelfs.it.nodeImage");
    }

    static String gatewayImage() {
        return required("pohmelfs.it.gatewayImage");
    }

    static Path root() {
        return Path.of(required("pohmelfs.it.root"));
    }

    private static String required(String key) {
        String value = System.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + key
                    + " is not set: run the system tests through Maven (mvn verify -pl system-tests -am)");
        }
        return value;
    }

    /** {@code n} distinct ports free on loopback right now (the containers use host networking). */
    static List<Integer> freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    static URI loopback(int port) {
        return URI.create("http://127.0.0.1:" + port);
    }

    static void awaitReady(Rest rest, List<URI> gateways, Duration atMost) {
        Awaitility.await("gateways ready " + gateways).atMost(atMost).pollInterval(Duration.ofMillis(500))
                .until(() -> gateways.stream().allMatch(rest::ready));
    }

    /** Waits until the load has acknowledged {@code more} further writes: progress, not a sleep. */
    static void awaitProgress(Load load, int more, Duration atMost) {
        int target = load.acknowledgedCount() + more;
        IntSupplier count = load::acknowledgedCount;
        Awaitility.await("load acknowledged " + target + " writes").atMost(atMost)
                .pollInterval(Duration.ofMillis(200)).until(() -> count.getAsInt() >= target);
    }

    /** Every acknowledged write reads back with its content through every gateway. */
    static void checkAcknowledged(Rest rest, Map<String, String> acknowledged, List<URI> gateways)
            throws Exception {
        assertThat(acknowledged).as("acknowledged writes").isNotEmpty();
        for (var e : acknowledged.entrySet()) {
            for (URI g : gateways) {
                Rest.Response r = rest.get(g, e.getKey());
                assertThat(r.status()).as("GET %s via %s", e.getKey(), g).isEqualTo(200);
                assertThat(r.text()).as("content of %s via %s", e.getKey(), g).isEqualTo(e.getValue());
            }
        }
    }
}
