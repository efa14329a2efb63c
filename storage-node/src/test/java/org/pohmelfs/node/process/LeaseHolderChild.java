package org.pohmelfs.node.process;

import java.net.InetSocketAddress;
import org.pohmelfs.client.ClientLease;
import org.pohmelfs.client.ClientSettings;
import org.pohmelfs.client.NodeClient;
import org.pohmelfs.client.NodeConnection;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import reactor.core.publisher.Mono;

/**
 * A client process for the SIGKILL test: takes an exclusive lease on a path, ignores recalls,
 * prints {@code HELD <t_send>} (System.nanoTime() is CLOCK_MONOTONIC, shared by the processes
 * of one Linux machine) and waits to be killed.
 */
public final class LeaseHolderChild {
    private LeaseHolderChild() {
    }

    public static void main(String[] args) throws Exception {
        NodeClient client = new NodeClient(ClientSettings.defaults("child", "pohmelfs"));
        NodeConnection c = client.connectWithLeases(new InetSocketAddress(args[0], Integer.parseInt(args[1])), r -> Mono.never())
                .join();
        ClientLease lease = c.acquire(args[2], LockMode.EXCLUSIVE, LockScope.OBJECT).block();
        // stdout is the channel to the parent test, which waits for this line.
        System.out.println("HELD " + lease.sentAtNanos());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE); // hold the lease until the test SIGKILLs this process
    }
}
