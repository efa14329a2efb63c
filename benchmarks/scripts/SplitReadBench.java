import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.pohmelfs.testing.FaultProxy;

/**
 * Split reads over bandwidth-limited links (issue #6, design.md §4.3), measured, not asserted.
 * Starts {@code --nodes} storage-node processes (static lists, no ZooKeeper), each behind a
 * {@code FaultProxy} whose node-to-gateway direction is limited to {@code --link-mib} MiB/s
 * (every connection of that node together, like one link), and one gateway process per
 * configuration:
 * <ul>
 *   <li>{@code 1 node}: the gateway knows node1 only;</li>
 *   <li>{@code 2 sticky}: node1 and node2, {@code replication.split-reads=false};</li>
 *   <li>{@code 2 split}: node1 and node2, split reads (the default);</li>
 *   <li>{@code 3 split}: all three (only with {@code --nodes 3}).</li>
 * </ul>
 * A file of {@code --mib} MiB is written once through the widest gateway (links unlimited), then
 * each configuration GETs it {@code --runs} times, round-robin; every GET is checked against the
 * written bytes (SHA-256) and its per-node share is taken from the proxies' byte counts.
 *
 * <pre>
 * java -cp shared/target/test-classes benchmarks/scripts/SplitReadBench.java \
 *      --node-jar storage-node/target/pohmelfs-storage-node-*-exec.jar \
 *      --gateway-jar gateway/target/pohmelfs-gateway-*-exec.jar [--nodes 2] [--mib 128] [--link-mib 20] [--runs 3]
 * </pre>
 * (benchmarks/scripts/splitread.sh runs it from a built worktree.)
 */
public final class SplitReadBench {
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        Path nodeJar = Path.of(arg(args, "--node-jar", null));
        Path gatewayJar = Path.of(arg(args, "--gateway-jar", null));
        Path dir = Path.of(arg(args, "--dir", "/tmp/splitread-bench"));
        int nodes = Integer.parseInt(arg(args, "--nodes", "2"));
        int mib = Integer.parseInt(arg(args, "--mib", "128"));
        long link = Long.parseLong(arg(args, "--link-mib", "20")) * 1024 * 1024;
        int runs = Integer.parseInt(arg(args, "--runs", "3"));
        int basePort = Integer.parseInt(arg(args, "--base-port", "27840"));
        if (nodes < 2 || nodes > 3) {
            throw new IllegalArgumentException("--nodes is 2 or 3");
        }
        Files.createDirectories(dir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> processes = new ArrayList<>();
        List<FaultProxy> proxies = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.forEach(Process::destroyForcibly)));
        try {
            for (int i = 1; i <= nodes; i++) {
                Path export = Files.createDirectories(dir.resolve("node" + i));
                int port = basePort + i;
                processes.add(start(dir.resolve("node" + i + ".log"), java, "-Xmx256m", "-jar", nodeJar.toString(),
                        "--pohmelfs.node.id=sr" + i, "--pohmelfs.node.port=" + port,
                        "--server.port=" + (basePort + 10 + i), "--pohmelfs.node.export=" + export,
                        "--pohmelfs.node.lease-duration=1s"));
                proxies.add(FaultProxy.start("127.0.0.1:" + port));
            }
            Map<String, String> configs = new LinkedHashMap<>();
            configs.put("1 node", proxies.getFirst().address());
            String two = proxies.get(0).address() + "," + proxies.get(1).address();
            configs.put("2 sticky", two + " --pohmelfs.gateway.replication.split-reads=false");
            configs.put("2 split", two);
            if (nodes == 3) {
                configs.put("3 split", proxies.stream().map(FaultProxy::address).collect(Collectors.joining(",")));
            }
            Map<String, String> urls = new LinkedHashMap<>();
            int g = 0;
            for (var c : configs.entrySet()) {
                g++;
                int httpPort = basePort + 20 + g;
                List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "-jar", gatewayJar.toString(),
                        "--pohmelfs.gateway.id=gsr" + g, "--server.port=" + httpPort));
                String[] parts = c.getValue().split(" ");
                cmd.add("--pohmelfs.gateway.nodes=" + parts[0]);
                cmd.addAll(Arrays.asList(parts).subList(1, parts.length));
                processes.add(start(dir.resolve("gw" + g + ".log"), cmd.toArray(String[]::new)));
                urls.put(c.getKey(), "http://127.0.0.1:" + httpPort);
            }
            for (String url : urls.values()) {
                awaitReady(url);
            }

            byte[] body = new byte[mib * 1024 * 1024];
            new Random(6).nextBytes(body);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            String widest = new ArrayList<>(urls.values()).getLast();
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(widest + "/api/v1/files/splitread.bin"))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (put.statusCode() != 201 && put.statusCode() != 204) {
                throw new IllegalStateException("PUT: " + put.statusCode() + " " + put.body());
            }
            body = null;
            proxies.forEach(p -> p.bandwidth(FaultProxy.Direction.DOWNSTREAM, link));
            System.out.printf(Locale.ROOT, "# %d MiB GET, %d node(s), links %d MiB/s node->gateway, load %s%n",
                    mib, nodes, link >> 20, load());
            System.out.println("config\trun\tseconds\tMiB/s\tshare per node (proxy bytes)");
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            for (int run = 1; run <= runs; run++) {
                for (var u : urls.entrySet()) {
                    long[] before = proxies.stream().mapToLong(p -> p.forwarded(FaultProxy.Direction.DOWNSTREAM)).toArray();
                    double seconds = get(u.getValue() + "/api/v1/files/splitread.bin", digest, (long) mib << 20);
                    double rate = mib / seconds;
                    rates.computeIfAbsent(u.getKey(), k -> new ArrayList<>()).add(rate);
                    StringBuilder share = new StringBuilder();
                    for (int i = 0; i < proxies.size(); i++) {
                        long moved = proxies.get(i).forwarded(FaultProxy.Direction.DOWNSTREAM) - before[i];
                        share.append(String.format(Locale.ROOT, "%snode%d %.0f%%", i == 0 ? "" : ", ", i + 1,
                                100.0 * moved / ((long) mib << 20)));
                    }
                    System.out.printf(Locale.ROOT, "%s\t%d\t%.2f\t%.1f\t%s%n", u.getKey(), run, seconds, rate, share);
                }
            }
            double one = median(rates.get("1 node"));
            System.out.println("# medians (MiB/s) and speed-up over 1 node:");
            for (var r : rates.entrySet()) {
                double m = median(r.getValue());
                System.out.printf(Locale.ROOT, "%s\t%.1f\t%.2fx%n", r.getKey(), m, m / one);
            }
            System.out.println("# load at the end " + load());
        } finally {
            for (Process p : processes) {
                p.destroy();
            }
            for (Process p : processes) {
                // A JVM still starting (a loaded machine) may sit on SIGTERM: SIGKILL after a while.
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            for (FaultProxy p : proxies) {
                p.close();
            }
        }
    }

    private static Process start(Path log, String... cmd) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitReady(String url) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(600).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url + "/actuator/health/readiness")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250); // a start-up poll in a benchmark tool, not a test
        }
        throw new IllegalStateException(url + " did not become ready");
    }

    /** Seconds for one GET, its body checked against {@code digest}. */
    private static double get(String url, byte[] digest, long size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long start = System.nanoTime();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long n = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[1 << 16];
            for (int k; (k = in.read(buf)) >= 0; ) {
                sha.update(buf, 0, k);
                n += k;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (r.statusCode() != 200 || n != size || !Arrays.equals(sha.digest(), digest)) {
            throw new IllegalStateException("GET " + url + ": " + r.statusCode() + ", " + n + " bytes, digest "
                    + (n == size ? "differs" : "not checked"));
        }
        return seconds;
    }

    private static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    private static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String arg(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        if (dflt == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return dflt;
    }
}
