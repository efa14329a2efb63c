package org.pohmelfs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fault-injecting TCP proxy for tests: listens on a free 127.0.0.1 port and forwards every
 * connection to one target. What it does to the traffic changes at run time:
 * <ul>
 *   <li>{@link #pass()}: forward (the default);</li>
 *   <li>{@link #blackhole()}: a cut-off link — connections stay open and new ones are
 *       accepted, but no byte moves either way. Bytes sent meanwhile are held, not lost, and
 *       move on after {@link #pass()}, as TCP retransmission would deliver them over a link that
 *       comes back;</li>
 *   <li>{@link #cut()}: every connection closed, and new ones reset at once (the port keeps
 *       listening, so no other process can take it meanwhile and no client can connect to
 *       itself on it) until {@link #pass()};</li>
 *   <li>{@link #delay}: a fixed latency per direction, added to each byte's trip;</li>
 *   <li>{@link #bandwidth}: a rate limit in bytes per second per direction, shared by all
 *       connections, like one link.</li>
 * </ul>
 *
 * <p>How it works: blocking sockets, one virtual thread reading and one writing per direction
 * of each connection, joined by a small bounded queue of chunks stamped with the time they
 * were read. The writer waits while the proxy is blackholed, until the chunk's time plus the
 * delay, and for the direction's pacer; so a blackhole stops both reading (the queue fills)
 * and writing.
 */
public final class FaultProxy implements AutoCloseable {
    /** Which way bytes travel. */
    public enum Direction {
        /** From the client that connected to the proxy towards the target. */
        UPSTREAM,
        /** From the target back to the client. */
        DOWNSTREAM
    }

    private enum Mode { PASS, BLACKHOLE, CUT, CLOSED }

    private static final int CHUNK = 16 * 1024;

    private final InetSocketAddress target;
    private final int port;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Mode mode = Mode.PASS;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Map<Direction, Long> delayNanos = new EnumMap<>(Map.of(Direction.UPSTREAM, 0L, Direction.DOWNSTREAM, 0L));
    private final Map<Direction, Pacer> pacers = new EnumMap<>(Map.of(Direction.UPSTREAM, new Pacer(),
            Direction.DOWNSTREAM, new Pacer()));
    private final Map<Direction, AtomicLong> forwarded = new EnumMap<>(Map.of(Direction.UPSTREAM, new AtomicLong(),
            Direction.DOWNSTREAM, new AtomicLong()));
    private final AtomicLong accepted = new AtomicLong();

    private FaultProxy(InetSocketAddress target, ServerSocket listener) {
        this.target = target;
        this.listener = listener;
        this.port = listener.getLocalPort();
    }

    /** A proxy in pass mode on a free loopback port, forwarding to {@code target}. */
    public static FaultProxy start(InetSocketAddress target) throws IOException {
        FaultProxy proxy = new FaultProxy(target, listen(0));
        proxy.acceptLoop(proxy.listener);
        return proxy;
    }

    /** A proxy in front of "host:port". */
    public static FaultProxy start(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        return start(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))));
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        return s;
    }

    public int port() {
        return port;
    }

    /** "127.0.0.1:port", to give to whoever should connect through the proxy. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Forward again. */
    public void pass() {
        lock.lock();
        try {
            requireOpen();
            mode = Mode.PASS;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stop moving bytes both ways, keeping every connection open. */
    public void blackhole() {
        lock.lock();
        try {
            requireOpen();
            mode = Mode.BLACKHOLE;
        } finally {
            lock.unlock();
        }
    }

    /** Close every connection and reset new ones until {@link #pass()}. */
    public void cut() {
        lock.lock();
        try {
            requireOpen();
            if (mode != Mode.CUT) {
                mode = Mode.CUT;
                closeConnections();
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Every byte travelling in {@code direction} arrives at least {@code latency} after it was read. */
    public void delay(Direction direction, Duration latency) {
        delayNanos.put(direction, latency.toNanos());
    }

    /** At most {@code bytesPerSecond} in {@code direction}, all connections together; 0: unlimited. */
    public void bandwidth(Direction direction, long bytesPerSecond) {
        pacers.get(direction).rate(bytesPerSecond);
    }

    /** Bytes written to the far side in {@code direction} so far. */
    public long forwarded(Direction direction) {
        return forwarded.get(direction).get();
    }

    /** Connections accepted so far. */
    public long accepted() {
        return accepted.get();
    }

    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (mode == Mode.CLOSED) {
                return;
            }
            mode = Mode.CLOSED;
            listener.close();
            closeConnections();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean isCut() {
        lock.lock();
        try {
            return mode == Mode.CUT;
        } finally {
            lock.unlock();
        }
    }

    private void requireOpen() {
        if (mode == Mode.CLOSED) {
            throw new IllegalStateException("the proxy is closed");
        }
    }

    private void closeConnections() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private void acceptLoop(ServerSocket server) {
        Thread.ofVirtual().name("fault-proxy-accept-" + port).start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    if (isCut()) {
                        client.setSoLinger(true, 0); // a reset, as from a port nobody listens on
                        client.close();
                        continue;
                    }
                    accepted.incrementAndGet();
                    connect(client);
                } catch (IOException e) {
                    // closed by cut() or close(); or one failed connection: keep accepting
                }
            }
        });
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        sockets.add(client);
        sockets.add(upstream);
        Thread.ofVirtual().start(() -> {
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(target, 5000);
                if (!sockets.contains(client)) {
                    throw new SocketException("cut while connecting");
                }
                java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
                pump(client, upstream, Direction.UPSTREAM, ended);
                pump(upstream, client, Direction.DOWNSTREAM, ended);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
            }
        });
    }

    private record Chunk(byte[] bytes, long readAtNanos) {
        static final Chunk EOF = new Chunk(new byte[0], 0);
    }

    /**
     * Two threads moving bytes from {@code from} to {@code to}. An error closes both sockets;
     * the end of the stream is passed on as a half-close, and when both directions of the
     * connection have ended ({@code ended} reaches 2) both sockets are closed.
     */
    private void pump(Socket from, Socket to, Direction direction, java.util.concurrent.atomic.AtomicInteger ended) {
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(16);
        Thread.ofVirtual().name("fault-proxy-" + port + "-" + direction + "-read").start(() -> {
            byte[] buffer = new byte[CHUNK];
            try {
                InputStream in = from.getInputStream(); // not closed here: that would close the socket
                while (awaitPassing()) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        queue.put(Chunk.EOF);
                        return;
                    }
                    queue.put(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime()));
                }
            } catch (IOException | InterruptedException e) {
                closeQuietly(from);
                closeQuietly(to);
            } finally {
                queue.offer(Chunk.EOF); // wakes the writer if it waits for a chunk
            }
        });
        Thread.ofVirtual().name("fault-proxy-" + port + "-" + direction + "-write").start(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = queue.take();
                    if (c == Chunk.EOF) {
                        if (!to.isClosed()) {
                            to.shutdownOutput();
                        }
                        return;
                    }
                    sleepUntil(c.readAtNanos() + delayNanos.get(direction));
                    pacers.get(direction).acquire(c.bytes().length);
                    if (!awaitPassing()) {
                        return;
                    }
                    out.write(c.bytes());
                    out.flush();
                    forwarded.get(direction).addAndGet(c.bytes().length);
                }
            } catch (IOException | InterruptedException e) {
                closeQuietly(from);
                closeQuietly(to);
            } finally {
                if (ended.incrementAndGet() == 2) {
                    closeQuietly(from);
                    closeQuietly(to);
                    sockets.remove(from);
                    sockets.remove(to);
                }
            }
        });
    }

    /** Waits while blackholed; false when the connection is to end (cut or closed). */
    private boolean awaitPassing() throws InterruptedException {
        lock.lock();
        try {
            while (mode == Mode.BLACKHOLE) {
                changed.await();
            }
            return mode == Mode.PASS;
        } finally {
            lock.unlock();
        }
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Paces one direction: each acquire reserves the next slot of the link's time. */
    private static final class Pacer {
        private long bytesPerSecond;
        private long nextFreeNanos;

        synchronized void rate(long bytesPerSecond) {
            this.bytesPerSecond = Math.max(0, bytesPerSecond);
            this.nextFreeNanos = System.nanoTime();
        }

        void acquire(int bytes) throws InterruptedException {
            long until;
            synchronized (this) {
                if (bytesPerSecond == 0) {
                    return;
                }
                long now = System.nanoTime();
                long start = Math.max(now, nextFreeNanos);
                nextFreeNanos = start + bytes * 1_000_000_000L / bytesPerSecond;
                until = nextFreeNanos;
            }
            sleepUntil(until);
        }
    }
}
