package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.node.config.TransactionExecutor;
import org.pohmelfs.node.server.IoExecutor;
import org.pohmelfs.node.server.NodeMetrics;
import org.pohmelfs.node.server.NodeServer;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.LinkPolicy;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Opcodes;

/**
 * The {@code unstable} feature between the real client and a node server on loopback: offered
 * (WRITE_UNSTABLE and COMMIT travel as such), or switched off on the node (the WELCOME lacks
 * it and the client sends WRITE and SYNC instead, which the node's per-command metrics show).
 */
class UnstableOnTheWireTest {
    @TempDir
    Path export;
    private TransactionManager tm;
    private IoExecutor io;
    private NodeServer server;
    private NodeConnection client;
    private SimpleMeterRegistry registry;

    @AfterEach
    void close() {
        client.close();
        server.close();
        io.close();
        tm.close();
    }

    private void start(boolean unstable) throws Exception {
        tm = TransactionManager.open(StoreSettings.defaults(export).withUnstableWrites(unstable));
        io = new IoExecutor(8);
        registry = new SimpleMeterRegistry();
        server = new NodeServer(new NodeServer.Settings("n1", "test", "127.0.0.1", 0, LinkPolicy.defaults(), null, 64),
                new TransactionExecutor(tm), io, new NodeMetrics(registry), null);
        server.start();
        client = new NodeClient(ClientSettings.defaults("gw", "test")).connectBlocking(server.address());
    }

    private Message.Reply send(Command... commands) {
        return client.execute(commands).join();
    }

    private long requests(String command) {
        // One timer per outcome; the node records a request before it writes the reply.
        return registry.find("pohmelfs.node.requests").tag("command", command).timers().stream()
                .mapToLong(Timer::count).sum();
    }

    private static Command.Write unstable(long offset, int n) {
        return new Command.Write("/f", offset, ByteBuffer.allocate(n), true, true);
    }

    @Test
    void aNodeWithTheFeatureTakesUnstableWritesAndCommit() throws Exception {
        start(true);
        assertThat(client.welcome().features()).contains(Opcodes.FEATURE_UNSTABLE);
        assertThat(client.unstableWrites()).isTrue();
        assertThat(send(unstable(0, 1000)).ok()).isTrue();
        assertThat(send(unstable(1000, 1000)).ok()).isTrue();
        assertThat(tm.unstablePaths()).isEqualTo(1);
        assertThat(send(new Command.Commit("/f")).ok()).isTrue();
        Message.Reply again = send(new Command.Commit("/f"));
        assertThat(again.firstError().code()).isEqualTo(ErrorCode.UNSTABLE_LOST);
        assertThat(requests("write_unstable")).isEqualTo(2);
        assertThat(requests("commit")).isEqualTo(2);
        assertThat(Files.size(export.resolve("f"))).isEqualTo(2000);
    }

    @Test
    void withoutTheFeatureTheClientSendsDurableWritesAndSync() throws Exception {
        start(false);
        assertThat(client.welcome().features()).doesNotContain(Opcodes.FEATURE_UNSTABLE);
        assertThat(client.unstableWrites()).isFalse();
        assertThat(send(unstable(0, 1000)).ok()).isTrue();
        assertThat(send(new Command.Commit("/f")).ok()).isTrue();
        assertThat(send(new Command.Commit("/f")).ok()).as("SYNC of a file always passes").isTrue();
        assertThat(requests("write")).isEqualTo(1);
        assertThat(requests("write_unstable")).isZero();
        assertThat(requests("sync")).isEqualTo(2);
        assertThat(requests("commit")).isZero();
        assertThat(tm.journalUnforced()).isFalse();
        assertThat(Files.size(export.resolve("f"))).isEqualTo(1000);
    }
}
