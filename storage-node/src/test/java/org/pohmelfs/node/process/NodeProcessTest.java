package org.pohmelfs.node.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.testing.NodeProcess;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;

/**
 * The storage node as operators run it: the Spring Boot process, reached over TCP with the
 * project's client, killed with SIGKILL while transactions are in flight, restarted, and asked
 * again for the transactions whose replies were lost.
 */
class NodeProcessTest {
    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesTheProtocolAndReportsHealthAndMetrics() throws Exception {
        Path export = Files.createDirectories(tmp.resolve("export"));
        try (NodeProcess node = new NodeProcess(export, tmp.resolve("node.log")).start()) {
            NodeClient client = new NodeClient(ClientSettings.defaults("gw-test", "pohmelfs"));
            try (NodeConnection c = client.connectBlocking(node.address())) {
                Message.Reply r = c.execute(new Command.Mkdir("/a/b/c", true, 0755),
                        new Command.Write("/a/b/c/hello.txt", 0, ByteBuffer.wrap("hi".getBytes()), true)).get(10, TimeUnit.SECONDS);
                assertThat(r.ok()).isTrue();
            }
            NodeConnection leased = client.connectWithLeases(node.address(), recall -> Mono.empty()).get(10, TimeUnit.SECONDS);
            leased.acquire("/a", LockMode.SHARED, LockScope.OBJECT).block(Duration.ofSeconds(10));
            assertThat(Files.readString(export.resolve("a/b/c/hello.txt"))).as("a plain file").isEqualTo("hi");

            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(node.httpBase()
                    + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            HttpResponse<String> prom = http.send(HttpRequest.newBuilder(URI.create(node.httpBase()
                    + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(prom.body()).contains("pohmelfs_node_requests_seconds_count")
                    .contains("command=\"transaction\"").contains("pohmelfs_node_bytes_written_bytes_total")
                    .contains("pohmelfs_node_connections")
                    .containsPattern("pohmelfs_node_leases_held\\{[^}]*mode=\"shared\"[^}]*} 1.0")
                    .containsPattern("pohmelfs_node_leases_granted_total\\{[^}]*} 1.0")
                    .containsPattern("pohmelfs_node_leases_wait_seconds_count\\{[^}]*kind=\"mutation\"")
                    .contains("command=\"acquire\"");
            leased.close();
        }
    }

    /** A client process killed with SIGKILL loses its lease on the node after L, not before. */
    @Test
    void theLeaseOfASigkilledClientRunsOutAfterTheLeaseDuration() throws Exception {
        Path export = Files.createDirectories(tmp.resolve("export"));
        try (NodeProcess node = new NodeProcess(export, tmp.resolve("node.log"), "--pohmelfs.node.lease-duration=2s")
                .start()) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), LeaseHolderChild.class.getName(), "127.0.0.1",
                    String.valueOf(node.address().getPort()), "/f").redirectError(tmp.resolve("child.log").toFile())
                    .start();
            long childSentAt;
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()))) {
                String line = out.readLine();
                assertThat(line).startsWith("HELD ");
                childSentAt = Long.parseLong(line.substring(5));
                child.destroyForcibly(); // SIGKILL on Linux
                child.waitFor(10, TimeUnit.SECONDS);
            }
            NodeClient client = new NodeClient(ClientSettings.defaults("gw-test", "pohmelfs"));
            try (NodeConnection c = client.connectWithLeases(node.address(), recall -> Mono.empty()).get(10, TimeUnit.SECONDS)) {
                c.acquire("/f", LockMode.EXCLUSIVE, LockScope.OBJECT).block(Duration.ofSeconds(20));
                assertThat(System.nanoTime() - childSentAt).isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
            }
        }
    }

    /**
     * Each transaction moves one token from one folder to the other and records its number in
     * two files: at every moment exactly one token exists, and both files agree.
     */
    @Test
    void sigkillMidLoadLosesNothingAndResentTransactionsApplyOnce() throws Exception {
        Path export = Files.createDirectories(tmp.resolve("export"));
        Random random = new Random(42);
        NodeClient client = new NodeClient(ClientSettings.defaults("gw-kill", "pohmelfs")
                .withRequestTimeout(Duration.ofSeconds(20)));
        try (NodeProcess node = new NodeProcess(export, tmp.resolve("node.log")).start()) {
            try (NodeConnection c = client.connectBlocking(node.address())) {
                assertThat(c.execute(new Command.Mkdir("/left", false, 0755), new Command.Mkdir("/right", false, 0755),
                        new Command.Write("/left/token", 0, ByteBuffer.wrap("t".getBytes()), true),
                        new Command.Write("/a", 0, ByteBuffer.wrap(num(0)), true),
                        new Command.Write("/b", 0, ByteBuffer.wrap(num(0)), true)).get().ok()).isTrue();
            }
            int next = 1;
            for (int round = 0; round < 4; round++) {
                List<Message.Request> sent = new ArrayList<>();
                List<CompletableFuture<Message.Reply>> replies = new ArrayList<>();
                try (NodeConnection c = client.connectBlocking(node.address())) {
                    // A serial chain: each transaction depends on where the token is now, so
                    // exactly one of them may succeed per position; we send them one at a time.
                    long deadline = System.nanoTime() + (50 + random.nextInt(400)) * 1_000_000L;
                    while (System.nanoTime() < deadline) {
                        Message.Request req = move(c.newTxid(), next);
                        sent.add(req);
                        CompletableFuture<Message.Reply> f = c.send(req);
                        replies.add(f);
                        Message.Reply reply = f.get(20, TimeUnit.SECONDS);
                        assertThat(reply.ok()).as("transaction %d", next).isTrue();
                        next++;
                    }
                    // One more in flight while the node dies.
                    Message.Request last = move(c.newTxid(), next);
                    sent.add(last);
                    replies.add(c.send(last));
                    node.kill();
                }
                node.start();
                try (NodeConnection c = client.connectBlocking(node.address())) {
                    Message.Request last = sent.getLast();
                    Message.Reply first = c.send(last).get(20, TimeUnit.SECONDS);
                    assertThat(first.ok()).as("the lost transaction is applied exactly once").isTrue();
                    Message.Reply again = c.send(last).get(20, TimeUnit.SECONDS);
                    assertThat(again).as("a resend is answered with the original reply").isEqualTo(first);
                    next++;
                    assertInvariant(export, next - 1);
                }
            }
        }
    }

    private static Message.Request move(long txid, int n) {
        boolean toRight = n % 2 == 1;
        String from = toRight ? "/left/token" : "/right/token";
        String to = toRight ? "/right/token" : "/left/token";
        return new Message.Request(txid, 0, List.of(
                new Command.Rename(from, to, true),
                new Command.Write("/a", 0, ByteBuffer.wrap(num(n)), false),
                new Command.Write("/b", 0, ByteBuffer.wrap(num(n)), false)));
    }

    private static byte[] num(int n) {
        return String.format("%010d", n).getBytes(StandardCharsets.US_ASCII);
    }

    private static void assertInvariant(Path export, int expected) throws Exception {
        boolean left = Files.exists(export.resolve("left/token"));
        boolean right = Files.exists(export.resolve("right/token"));
        assertThat(left ^ right).as("exactly one token").isTrue();
        assertThat(right).as("token position matches the last transaction").isEqualTo(expected % 2 == 1);
        assertThat(Files.readString(export.resolve("a"))).isEqualTo(new String(num(expected)));
        assertThat(Files.readString(export.resolve("b"))).isEqualTo(new String(num(expected)));
    }

}
