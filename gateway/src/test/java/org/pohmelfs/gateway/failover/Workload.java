package org.pohmelfs.gateway.failover;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * A mixed REST load on one gateway, recorded for the failover checks: several clients, each a
 * thread with its own HTTP client and seeded random source, doing small PUTs of new files
 * (unique content), overwrites of their own files (the next version), and GETs of any file
 * acknowledged earlier. Every request is recorded with its start and end (nanoseconds on one
 * clock), status and, for a GET, the version it returned. Each file has one writer, so its
 * versions are acknowledged in increasing order and "the last acknowledged content" is well
 * defined.
 *
 * <p>A file's content is {@code PATH|VERSION|} followed by filler of a random length.
 */
final class Workload implements AutoCloseable {
    enum Kind { CREATE, OVERWRITE, READ }

    /**
     * One request. {@code status} is the HTTP status, or -1 when no response came (the
     * {@code error} says why); {@code got} is the version a successful READ returned.
     */
    record Op(Kind kind, int client, String path, int version, long start, long end, int status, String error, int got) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final String base;
    private final String prefix;
    private final LongSupplier clock;
    private final long seed;
    private final int clients;
    private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
    private final List<String> acknowledged = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    /**
     * {@code base}: the gateway, e.g. http://127.0.0.1:PORT; {@code prefix}: the folder its
     * files go to, e.g. /kill; {@code clock}: nanoseconds.
     */
    Workload(String base, String prefix, int clients, long seed, LongSupplier clock) {
        this.base = base;
        this.prefix = prefix;
        this.clients = clients;
        this.seed = seed;
        this.clock = clock;
    }

    Workload start() {
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(Thread.ofPlatform().name("load-" + c).daemon().start(() -> run(client)));
        }
        return this;
    }

    /** Stops the clients and waits for their last requests. */
    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(30));
        }
    }

    List<Op> ops() {
        return ops.stream().sorted(Comparator.comparingLong(Op::start)).toList();
    }

    private void run(int client) {
        Random random = new Random(seed * 1_000_003 + client);
        List<String> mine = new ArrayList<>();
        Map<String, Integer> versions = new HashMap<>();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build()) {
            int created = 0;
            while (!stop) {
                double x = random.nextDouble();
                if (mine.isEmpty() || x < 0.35) {
                    String path = prefix + "/c" + client + "/f" + created++;
                    if (write(http, Kind.CREATE, client, path, 1, random)) {
                        mine.add(path);
                        versions.put(path, 1);
                        acknowledged.add(path);
                    } else {
                        mine.add(path); // its outcome is unknown; later overwrites go on from version 1
                        versions.put(path, 1);
                    }
                } else if (x < 0.5) {
                    String path = mine.get(random.nextInt(mine.size()));
                    int next = versions.merge(path, 1, Integer::sum);
                    write(http, Kind.OVERWRITE, client, path, next, random);
                } else if (!acknowledged.isEmpty()) {
                    read(http, client, acknowledged.get(random.nextInt(acknowledged.size())));
                }
                try {
                    Thread.sleep(5); // a steady load, not a flood: two cores run the whole cluster
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private boolean write(HttpClient http, Kind kind, int client, String path, int version, Random random) {
        String body = path + "|" + version + "|" + "x".repeat(random.nextInt(64, 1024));
        long start = clock.getAsLong();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/files" + path
                            + "?parents=true")).timeout(Duration.ofSeconds(20))
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            Op op = new Op(kind, client, path, version, start, clock.getAsLong(), r.statusCode(),
                    r.statusCode() < 300 ? null : r.body(), 0);
            ops.add(op);
            return op.ok();
        } catch (Exception e) {
            ops.add(new Op(kind, client, path, version, start, clock.getAsLong(), -1, e.toString(), 0));
            return false;
        }
    }

    private void read(HttpClient http, int client, String path) {
        long start = clock.getAsLong();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/files" + path))
                    .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
            int got = r.statusCode() == 200 ? version(path, r.body()) : 0;
            ops.add(new Op(Kind.READ, client, path, 0, start, clock.getAsLong(), r.statusCode(),
                    r.statusCode() == 200 ? (got < 0 ? "unexpected content" : null) : r.body(), got));
        } catch (Exception e) {
            ops.add(new Op(Kind.READ, client, path, 0, start, clock.getAsLong(), -1, e.toString(), 0));
        }
    }

    /** The version in a file's content, or -1 when it is not content this workload wrote for {@code path}. */
    static int version(String path, String content) {
        String[] parts = content.split("\\|", 3);
        if (parts.length != 3 || !parts[0].equals(path) || !parts[2].chars().allMatch(ch -> ch == 'x')) {
            return -1;
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
