package org.pohmelfs.node.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.client.NodeException;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.LinkPolicy;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.NodeInfo;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.codec.FrameDecoder;
import org.pohmelfs.protocol.codec.FrameEncoder;

/**
 * The server layer over real TCP on loopback: handshake rules, out-of-order replies,
 * malformed frames (TLS has its own test, {@link NodeTlsTest}). The store behind it is a small
 * executor that answers PING, so these tests isolate the connection handling (the store has its own tests, and end-to-end tests run both).
 */
class NodeServerTest {
    private static final NodeInfo INFO = new NodeInfo(1000, 10, 990, 3, 0, false);

    private final List<AutoCloseable> open = new ArrayList<>();

    /** Answers PING after waiting for the latch named by its value (0: none). */
    private final List<CountDownLatch> latches = List.of(new CountDownLatch(1), new CountDownLatch(1));
    private final RequestExecutor pinger = new RequestExecutor() {
        @Override
        public Message.Reply execute(Peer peer, Message.Request request) {
            List<Result> results = new ArrayList<>();
            for (Command c : request.commands()) {
                if (c instanceof Command.Ping p) {
                    if (p.value() > 0) {
                        awaitLatch(latches.get((int) p.value() - 1));
                    }
                    results.add(new Result.Pong(p.value()));
                } else if (c instanceof Command.Read r) {
                    results.add(new Result.Data(new org.pohmelfs.protocol.Attr(org.pohmelfs.protocol.FileType.FILE,
                            r.length(), 0, 0644, 1), java.nio.ByteBuffer.allocate(r.length())));
                } else {
                    results.add(new Result.Error(ErrorCode.UNSUPPORTED, "test executor"));
                }
            }
            return new Message.Reply(request.txid(), results);
        }

        @Override
        public NodeInfo info() {
            return INFO;
        }
    };

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        latches.forEach(CountDownLatch::countDown);
    }

    private NodeServer server(LinkPolicy link) throws Exception {
        IoExecutor io = new IoExecutor(8);
        NodeServer server = new NodeServer(new NodeServer.Settings("n1", "test", "127.0.0.1", 0, link,
                null, 64), pinger, io, new NodeMetrics(new SimpleMeterRegistry()));
        server.start();
        open.add(io);
        open.add(server);
        return server;
    }

    private NodeConnection connect(NodeServer server, ClientSettings settings) {
        NodeConnection c = new NodeClient(settings).connectBlocking(server.address());
        open.add(c);
        return c;
    }

    @Test
    void handshakeReportsTheNodeAndPingIsAnswered() throws Exception {
        NodeServer server = server(LinkPolicy.defaults());
        NodeConnection c = connect(server, ClientSettings.defaults("gw1", "test"));
        assertThat(c.nodeId()).isEqualTo("n1");
        assertThat(c.info()).isEqualTo(INFO);
        assertThat(c.welcome().checksum()).isEqualTo(ChecksumAlgorithm.CRC32C);
        Message.Reply reply = c.execute(new Command.Ping(0)).get(5, TimeUnit.SECONDS);
        assertThat(reply.results()).containsExactly(new Result.Pong(0));
    }

    @Test
    void repliesComeBackOutOfOrderMatchedById() throws Exception {
        NodeServer server = server(LinkPolicy.defaults());
        NodeConnection c = connect(server, ClientSettings.defaults("gw1", "test"));
        CompletableFuture<Message.Reply> slow = c.execute(new Command.Ping(1));
        CompletableFuture<Message.Reply> fast = c.execute(new Command.Ping(0));
        assertThat(fast.get(5, TimeUnit.SECONDS).results()).containsExactly(new Result.Pong(0));
        assertThat(slow).isNotDone();
        latches.get(0).countDown();
        assertThat(slow.get(5, TimeUnit.SECONDS).results()).containsExactly(new Result.Pong(1));
    }

    @Test
    void thousandsOfTransactionsInFlightAreAllAnswered() throws Exception {
        NodeServer server = server(LinkPolicy.defaults());
        NodeConnection c = connect(server, ClientSettings.defaults("gw1", "test"));
        List<CompletableFuture<Message.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            replies.add(c.execute(new Command.Ping(0)));
        }
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(replies).allSatisfy(r -> assertThat(r.join().ok()).isTrue());
    }

    @Test
    void aReplyOverTheNegotiatedFrameLimitBecomesTooLargeAndTheConnectionLives() throws Exception {
        NodeServer server = server(LinkPolicy.defaults());
        NodeConnection c = connect(server, ClientSettings.defaults("gw1", "test")
                .withLink(new LinkPolicy(List.of(ChecksumAlgorithm.CRC32C), false, LinkPolicy.MIN_FRAME)));
        assertThat(c.welcome().maxFrame()).isEqualTo(LinkPolicy.MIN_FRAME);
        Message.Reply big = c.execute(new Command.Read("/f", 0, 100_000)).get(5, TimeUnit.SECONDS);
        assertThat(big.firstError().code()).isEqualTo(ErrorCode.TOO_LARGE);
        Message.Reply small = c.execute(new Command.Read("/f", 0, 1000)).get(5, TimeUnit.SECONDS);
        assertThat(small.ok()).isTrue();
    }

    @Test
    void aClientOfAnotherClusterIsRefusedWithTheReason() throws Exception {
        NodeServer server = server(LinkPolicy.defaults());
        assertThatThrownBy(() -> connect(server, ClientSettings.defaults("gw1", "other")))
                .isInstanceOf(NodeException.class)
                .hasMessageContaining("cluster name")
                .extracting(e -> ((NodeException) e).code()).isEqualTo(ErrorCode.HANDSHAKE_REFUSED);
    }

    @Test
    void aRequiredChecksumTheNodeLacksIsARefusalNamingIt() throws Exception {
        NodeServer server = server(LinkPolicy.defaults());
        ClientSettings sha = ClientSettings.defaults("gw1", "test")
                .withLink(new LinkPolicy(List.of(ChecksumAlgorithm.SHA256), false, LinkPolicy.DEFAULT_MAX_FRAME));
        assertThatThrownBy(() -> connect(server, sha)).isInstanceOf(NodeException.class).hasMessageContaining("SHA256");
    }

    @Test
    void strongChecksumsAreNegotiatedWhenBothSidesHaveThem() throws Exception {
        NodeServer server = server(new LinkPolicy(List.of(ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.SHA256), false,
                LinkPolicy.DEFAULT_MAX_FRAME));
        NodeConnection c = connect(server, ClientSettings.defaults("gw1", "test")
                .withLink(new LinkPolicy(List.of(ChecksumAlgorithm.SHA256), false, LinkPolicy.DEFAULT_MAX_FRAME)));
        assertThat(c.welcome().checksum()).isEqualTo(ChecksumAlgorithm.SHA256);
        assertThat(c.execute(new Command.Ping(0)).get(5, TimeUnit.SECONDS).ok()).isTrue();
    }

    @Test
    void aMalformedFrameGetsOneErrorFrameAndTheConnectionCloses() throws Exception {
        NodeServer server = server(LinkPolicy.defaults());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            // length 12, frame type 0x7777, CRC32C flag, id 0, no body, garbage trailer
            out.write(new byte[] {0, 0, 0, 16, 0x77, 0x77, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
            out.flush();
            Message m = readFrame(s.getInputStream());
            assertThat(m).isInstanceOfSatisfying(Message.ConnectionError.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR));
            assertThat(s.getInputStream().read()).as("connection closed").isEqualTo(-1);
        }
    }

    @Test
    void aFrameOverTheLimitIsRefusedFromItsHeader() throws Exception {
        NodeServer server = server(LinkPolicy.defaults());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(5000);
            // Claims 2 GiB; nothing else is sent: the node must answer without waiting for it.
            s.getOutputStream().write(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            s.getOutputStream().flush();
            Message m = readFrame(s.getInputStream());
            assertThat(m).isInstanceOfSatisfying(Message.ConnectionError.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_LARGE));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aRequestBeforeTheHandshakeIsRefused() throws Exception {
        NodeServer server = server(LinkPolicy.defaults());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(5000);
            ByteBuf frame = Unpooled.buffer();
            FrameEncoder.encode(new Message.Request(1, 0, List.of(new Command.Ping(1))), ChecksumAlgorithm.CRC32C, frame);
            byte[] bytes = new byte[frame.readableBytes()];
            frame.readBytes(bytes);
            frame.release();
            s.getOutputStream().write(bytes);
            Message m = readFrame(s.getInputStream());
            assertThat(m).isInstanceOfSatisfying(Message.ConnectionError.class,
                    e -> assertThat(e.message()).contains("expected HELLO"));
        }
    }

    private static Message readFrame(InputStream in) throws Exception {
        DataInputStream data = new DataInputStream(in);
        int length = data.readInt();
        byte[] rest = new byte[length];
        data.readFully(rest);
        ByteBuf buf = Unpooled.buffer(4 + length).writeInt(length).writeBytes(rest);
        try {
            return FrameDecoder.decodeFrame(buf, null, LinkPolicy.DEFAULT_MAX_FRAME);
        } finally {
            buf.release();
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
