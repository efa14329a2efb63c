package org.pohmelfs.bench;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Load benchmark of the gateway's REST API with the JDK HTTP client: small-file PUT and GET at
 * a given concurrency (each worker a virtual thread doing one request at a time), then a large
 * streaming PUT and GET.
 *
 * <pre>
 * java -cp ... org.pohmelfs.bench.RestLoad --url http://127.0.0.1:8080 [--seconds 10]
 *      [--concurrency 16] [--files 1000] [--size 4096] [--stream-mib 1024]
 * </pre>
 */
public final class RestLoad {
    private RestLoad() {
    }

    public static void main(String[] args) throws Exception {
        String url = arg(args, "--url", "http://127.0.0.1:8080");
        int seconds = Integer.parseInt(arg(args, "--seconds", "10"));
        int concurrency = Integer.parseInt(arg(args, "--concurrency", "16"));
        int files = Integer.parseInt(arg(args, "--files", "1000"));
        int size = Integer.parseInt(arg(args, "--size", "4096"));
        long streamMib = Long.parseLong(arg(args, "--stream-mib", "1024"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String dir = url + "/api/v1/files/rest-bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        byte[] payload = new byte[size];
        ThreadLocalRandom.current().nextBytes(payload);
        check(http.send(HttpRequest.newBuilder(URI.create(dir + "?action=mkdir")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding()));

        try (ExecutorService setup = Executors.newFixedThreadPool(Math.max(1, concurrency))) {
            List<Future<?>> created = new ArrayList<>();
            for (int i = 0; i < files; i++) {
                String file = dir + "/f" + i;
                created.add(setup.submit(() -> {
                    check(http.send(HttpRequest.newBuilder(URI.create(file))
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(payload)).build(), HttpResponse.BodyHandlers.discarding()));
                    return null;
                }));
            }
            for (Future<?> f : created) {
                f.get();
            }
        }
        Result put = runFor(seconds, concurrency, i -> http.send(HttpRequest.newBuilder(URI.create(dir + "/f" + (i % files)))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(payload)).build(), HttpResponse.BodyHandlers.discarding()));
        Result get = runFor(seconds, concurrency, i -> http.send(HttpRequest.newBuilder(URI.create(dir + "/f" + (i % files)))
                .build(), HttpResponse.BodyHandlers.ofByteArray()));

        long bytes = streamMib * 1024 * 1024;
        double putSecs = Double.NaN;
        double getSecs = Double.NaN;
        if (bytes > 0) { // HttpClient refuses a stream of declared length 0
            long t0 = System.nanoTime();
            check(http.send(HttpRequest.newBuilder(URI.create(dir + "/stream")).PUT(HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new Zeros(bytes)), bytes)).build(),
                    HttpResponse.BodyHandlers.discarding()));
            putSecs = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(dir + "/stream")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long got = 0;
            try (InputStream in = r.body()) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    got += n;
                }
            }
            getSecs = (System.nanoTime() - t1) / 1e9;
            if (got != bytes) {
                throw new IllegalStateException("read " + got + " of " + bytes + " bytes");
            }
        }
        http.send(HttpRequest.newBuilder(URI.create(dir + "?recursive=true")).DELETE().build(),
                HttpResponse.BodyHandlers.discarding());

        System.out.printf(Locale.ROOT, "%n| test | result |%n|---|---|%n");
        System.out.printf(Locale.ROOT, "| PUT %d B, concurrency %d | %.0f req/s (p50 %.2f ms, p99 %.2f ms) |%n",
                size, concurrency, put.rate(), put.p50(), put.p99());
        System.out.printf(Locale.ROOT, "| GET %d B, concurrency %d | %.0f req/s (p50 %.2f ms, p99 %.2f ms) |%n",
                size, concurrency, get.rate(), get.p50(), get.p99());
        if (bytes > 0) {
            System.out.printf(Locale.ROOT, "| PUT %d MiB stream | %.0f MiB/s |%n", streamMib, streamMib / putSecs);
            System.out.printf(Locale.ROOT, "| GET %d MiB stream | %.0f MiB/s |%n", streamMib, streamMib / getSecs);
        }
    }

    interface Op {
        HttpResponse<?> run(int i) throws Exception;
    }

    record Result(int count, double rate, double p50, double p99) {
    }

    private static Result runFor(int seconds, int concurrency, Op op) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        List<Future<long[]>> workers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    long[] lat = new long[1 << 20];
                    int n = 0;
                    for (int i = worker; System.nanoTime() < end; i += concurrency) {
                        long t = System.nanoTime();
                        check(op.run(i));
                        if (n < lat.length) {
                            lat[n++] = System.nanoTime() - t;
                        }
                    }
                    return Arrays.copyOf(lat, n);
                }));
            }
            long[] all = new long[0];
            for (Future<long[]> f : workers) {
                long[] l = f.get();
                long[] merged = Arrays.copyOf(all, all.length + l.length);
                System.arraycopy(l, 0, merged, all.length, l.length);
                all = merged;
            }
            double secs = (System.nanoTime() - start) / 1e9;
            Arrays.sort(all);
            return new Result(all.length, all.length / secs, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6);
        }
    }

    private static void check(HttpResponse<?> r) {
        if (r.statusCode() >= 300) {
            throw new IllegalStateException("HTTP " + r.statusCode() + " for " + r.request().method() + " " + r.uri());
        }
    }

    /** A stream of zeros of a given length (the node stores them; compression plays no part). */
    static final class Zeros extends InputStream {
        private long left;

        Zeros(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            return left-- > 0 ? 0 : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
