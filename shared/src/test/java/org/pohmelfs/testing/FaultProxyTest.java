package org.pohmelfs.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pohmelfs.testing.FaultProxy.Direction;

/**
 * The fault proxy against a real echo server on loopback. Time is only ever bounded from below
 * (a delay or a rate makes a transfer take at least so long), never from above.
 */
class FaultProxyTest {
    ServerSocket echo;
    FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException e) {
                            // the peer went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        proxy = FaultProxy.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort()));
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 2000);
        s.setSoTimeout(20_000);
        return s;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code data} from another thread (the echo may only answer as fast as we read) and reads it back. */
    static byte[] roundTrip(Socket s, byte[] data) throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                s.getOutputStream().write(data);
                s.getOutputStream().flush();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] back = s.getInputStream().readNBytes(data.length);
        writer.get(20, TimeUnit.SECONDS);
        return back;
    }

    @Test
    void passForwardsEveryByteBothWaysOverSeveralConnections() throws Exception {
        byte[] data = random(3 * 1024 * 1024 + 5, 1);
        try (Socket a = connect(); Socket b = connect()) {
            assertThat(roundTrip(a, data)).isEqualTo(data);
            assertThat(roundTrip(b, "hello".getBytes())).isEqualTo("hello".getBytes());
        }
        assertThat(proxy.accepted()).isEqualTo(2);
        // the proxy counts a chunk after writing it on, so the client may have read it first
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(proxy.forwarded(Direction.UPSTREAM)).isEqualTo(data.length + 5);
            assertThat(proxy.forwarded(Direction.DOWNSTREAM)).isEqualTo(data.length + 5);
        });
    }

    @Test
    void theEndOfTheStreamIsPassedOn() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("bye".getBytes());
            s.shutdownOutput();
            assertThat(s.getInputStream().readAllBytes()).isEqualTo("bye".getBytes());
        }
    }

    @Test
    void aBlackholeKeepsConnectionsOpenButMovesNothingUntilPass() throws Exception {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "one".getBytes())).isEqualTo("one".getBytes());
            proxy.blackhole();
            long upstream = proxy.forwarded(Direction.UPSTREAM);
            s.getOutputStream().write("two".getBytes());
            s.setSoTimeout(500);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            assertThat(proxy.forwarded(Direction.UPSTREAM)).isEqualTo(upstream);

            try (Socket late = connect()) { // still accepted while blackholed, and silent too
                late.getOutputStream().write("three".getBytes());
                late.setSoTimeout(300);
                assertThatThrownBy(() -> late.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
                proxy.pass();
                late.setSoTimeout(20_000);
                assertThat(late.getInputStream().readNBytes(5)).isEqualTo("three".getBytes());
            }
            s.setSoTimeout(20_000);
            assertThat(s.getInputStream().readNBytes(3)).as("held, not lost").isEqualTo("two".getBytes());
        }
    }

    @Test
    void aCutClosesConnectionsAndRefusesNewOnesUntilPass() throws Exception {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "one".getBytes())).isEqualTo("one".getBytes());
            proxy.cut();
            assertThat(readOrEof(s)).isEqualTo(-1);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(resetOrRefused()).as("a new connection while cut").isTrue();
        }
        proxy.pass();
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "again".getBytes())).isEqualTo("again".getBytes());
        }
    }

    @Test
    void aBlackholedConnectionIsClosedByACut() throws Exception {
        try (Socket s = connect()) {
            proxy.blackhole();
            s.getOutputStream().write("lost".getBytes());
            proxy.cut();
            assertThat(readOrEof(s)).isEqualTo(-1);
        }
    }

    /** Whether a new connection is refused, or accepted and then ended without a byte. */
    boolean resetOrRefused() throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write("x".getBytes());
            return readOrEof(s) == -1;
        } catch (java.net.SocketException e) { // refused (ConnectException) or reset
            return true;
        }
    }

    /** The next byte, or -1 at the end of the stream or when the peer reset the connection. */
    static int readOrEof(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (java.net.SocketException e) {
            return -1;
        }
    }

    @Test
    void aDelayIsAddedToEachDirection() throws Exception {
        Duration delay = Duration.ofMillis(150);
        proxy.delay(Direction.UPSTREAM, delay);
        proxy.delay(Direction.DOWNSTREAM, delay);
        try (Socket s = connect()) {
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                assertThat(roundTrip(s, ("ping" + i).getBytes())).isEqualTo(("ping" + i).getBytes());
                assertThat(System.nanoTime() - start).as("round trip %d", i).isGreaterThanOrEqualTo(2 * delay.toNanos());
            }
            proxy.delay(Direction.UPSTREAM, Duration.ZERO);
            proxy.delay(Direction.DOWNSTREAM, Duration.ZERO);
            assertThat(roundTrip(s, "fast".getBytes())).isEqualTo("fast".getBytes());
        }
    }

    @Test
    void aBandwidthLimitPacesTheTransfer() throws Exception {
        int rate = 256 * 1024;
        proxy.bandwidth(Direction.DOWNSTREAM, rate);
        byte[] data = random(512 * 1024, 2);
        try (Socket s = connect()) {
            long start = System.nanoTime();
            assertThat(roundTrip(s, data)).isEqualTo(data);
            long elapsed = System.nanoTime() - start;
            // 512 KiB at 256 KiB/s: at least 2 s less the first chunk, which goes at once
            assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(1900).toNanos());
            proxy.bandwidth(Direction.DOWNSTREAM, 0);
            assertThat(roundTrip(s, data)).isEqualTo(data);
        }
    }
}
