package org.pohmelfs.systemtest;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded REST load over several gateways: each client writes new files (PUT, one gateway)
 * and reads every one back through the next gateway. A request that does not succeed, or a
 * read that does not return what was acknowledged, is a failure. Every acknowledged write is
 * kept so that the test can read them all back at the end. Stops by itself after
 * {@code maxOpsPerClient} writes per client or on {@link #close()}.
 */
final class Load implements AutoCloseable {
    private final List<URI> gateways;
    private final String folder;
    private final int clients;
    private final int maxOpsPerClient;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger acknowledgedCount = new AtomicInteger();
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    Load(List<URI> gateways, String folder, int clients, int maxOpsPerClient) {
        this.gateways = List.copyOf(gateways);
        this.folder = folder;
        this.clients = clients;
        this.maxOpsPerClient = maxOpsPerClient;
    }

    Load start() {
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(Thread.ofPlatform().name("load-" + c).start(() -> run(client)));
        }
        return this;
    }

    private void run(int client) {
        Rest rest = new Rest();
        for (int k = 0; k < maxOpsPerClient && !stop.get(); k++) {
            String path = folder + "/c" + client + "/f" + k;
            String content = ("client " + client + " file " + k + " ").repeat(1 + k % 200);
            URI writer = gateways.get((client + k) % gateways.size());
            URI reader = gateways.get((client + k + 1) % gateways.size());
            try {
                int put = rest.put(writer, path + "?parents=true", content.getBytes(StandardCharsets.UTF_8));
                if (put != 201 && put != 204) {
                    failures.add("PUT " + path + " via " + writer + ": " + put);
                    continue;
                }
                acknowledged.put(path, content);
                acknowledgedCount.incrementAndGet();
                Rest.Response get = rest.get(reader, path);
                if (get.status() != 200 || !get.text().equals(content)) {
                    failures.add("GET " + path + " via " + reader + ": " + get.status()
                            + (get.status() == 200 ? " with other content" : ""));
                }
            } catch (Exception e) {
                failures.add(path + " via " + writer + "/" + reader + ": " + e);
            }
        }
    }

    int acknowledgedCount() {
        return acknowledgedCount.get();
    }

    Map<String, String> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
    }
}
