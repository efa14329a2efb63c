package org.pohmelfs.gateway.admin.cli;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.pohmelfs.gateway.admin.AdminViews;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin command line over a gateway's admin API (docs/admin.md), run as
 * {@code bin/pohmelfs admin COMMAND}:
 *
 * <pre>
 * nodes                       the members: state, authority, liveness, usage, resync progress
 * add ID HOST:PORT [--wait]   add a member (it joins RESYNCING); --wait: progress bars until it is IN_SYNC
 * remove ID                   remove a member (the lock authority is handed over first)
 * watch                       progress bars of the resyncing members until none is left
 * map                         the cluster map in use (JSON)
 * options: --url URL (POHMELFS_ADMIN_URL, default http://127.0.0.1:8080), --user NAME
 *          (POHMELFS_ADMIN_USER, default admin), --password P (POHMELFS_ADMIN_PASSWORD, default admin),
 *          --token T (POHMELFS_ADMIN_TOKEN; a bearer token of an admin user, instead of the password),
 *          --cacert CA.pem (POHMELFS_ADMIN_CACERT; trust this CA for an https:// URL),
 *          --interval DURATION (watch, default 1s, e.g. 500ms), --timeout DURATION (watch, default none)
 * </pre>
 *
 * Exit status: 0 done; 1 the gateway refused or could not be reached (its problem detail is
 * printed); 2 a usage error; 3 a watch timed out.
 */
public final class AdminTool {
    static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final PrintStream out;
    private final PrintStream err;
    private HttpClient http;
    private String url;
    private String user;
    private String password;
    private String token;
    private String cacert;
    private Duration interval = Duration.ofSeconds(1);
    private Duration timeout;

    AdminTool(Map<String, String> env, PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        this.url = env.getOrDefault("POHMELFS_ADMIN_URL", "http://127.0.0.1:8080");
        this.user = env.getOrDefault("POHMELFS_ADMIN_USER", "admin");
        this.password = env.getOrDefault("POHMELFS_ADMIN_PASSWORD", "admin");
        this.token = env.get("POHMELFS_ADMIN_TOKEN");
        this.cacert = env.get("POHMELFS_ADMIN_CACERT");
    }

    public static void main(String[] args) {
        int status = run(args, System.getenv(), System.out, System.err);
        System.exit(status);
    }

    /** Runs one command; returns the exit status. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        AdminTool tool = new AdminTool(env, out, err);
        try {
            return tool.execute(args);
        } catch (Refused e) {
            err.println("pohmelfs admin: " + e.getMessage());
            return 1;
        } catch (UsageError e) {
            err.println("pohmelfs admin: " + e.getMessage());
            err.println("usage: pohmelfs admin [--url URL] [--user NAME] [--password P | --token T] [--cacert CA.pem] "
                    + "nodes | add ID HOST:PORT [--wait] | remove ID | watch | map");
            return 2;
        } catch (java.io.IOException e) {
            err.println("pohmelfs admin: cannot reach " + tool.url + ": " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private int execute(String[] args) throws java.io.IOException, InterruptedException {
        List<String> words = new ArrayList<>();
        boolean wait = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--url" -> url = value(args, ++i, a);
                case "--user" -> user = value(args, ++i, a);
                case "--password" -> password = value(args, ++i, a);
                case "--token" -> token = value(args, ++i, a);
                case "--cacert" -> cacert = value(args, ++i, a);
                case "--interval" -> interval = duration(value(args, ++i, a));
                case "--timeout" -> timeout = duration(value(args, ++i, a));
                case "--wait" -> wait = true;
                default -> {
                    if (a.startsWith("--")) {
                        throw new UsageError("unknown option " + a);
                    }
                    words.add(a);
                }
            }
        }
        if (words.isEmpty()) {
            throw new UsageError("no command");
        }
        url = url.replaceAll("/+$", "");
        http = client(cacert);
        String command = words.getFirst();
        switch (command) {
            case "nodes" -> {
                arity(words, 1);
                out.print(AdminRender.table(nodes()));
                return 0;
            }
            case "map" -> {
                arity(words, 1);
                out.println(call("GET", "/map", null).body());
                return 0;
            }
            case "add" -> {
                arity(words, 3);
                String body = JSON.writeValueAsString(new AdminViews.NewNode(words.get(1), words.get(2)));
                AdminViews.Node n = JSON.readValue(call("POST", "/nodes", body).body(), AdminViews.Node.class);
                out.println("added " + n.id() + " at " + n.address() + ": " + n.state());
                return wait ? watch(words.get(1)) : 0;
            }
            case "remove" -> {
                arity(words, 2);
                AdminViews.Removed r = JSON.readValue(call("DELETE", "/nodes/" + words.get(1), null).body(),
                        AdminViews.Removed.class);
                out.println("removed " + r.id() + ": map epoch " + r.epoch() + ", lock authority " + r.authority()
                        + (r.authorityHandedOver() ? " (handed over first)" : "")
                        + (r.drained() ? "" : "; writes to it were still in flight at the answer"));
                return 0;
            }
            case "watch" -> {
                arity(words, 1);
                return watch(null);
            }
            default -> throw new UsageError("unknown command " + command);
        }
    }

    /**
     * Prints the progress of the resyncing members every interval until none is left (or, with
     * {@code only}, until that member is not RESYNCING any more). On a terminal the bars are
     * redrawn in place; otherwise each poll prints its lines.
     */
    private int watch(String only) throws java.io.IOException, InterruptedException {
        boolean terminal = System.console() != null && out == System.out;
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        int drawn = 0;
        while (true) {
            AdminViews.Nodes nodes = nodes();
            List<String> lines = new ArrayList<>();
            boolean resyncing = false;
            for (AdminViews.Node n : nodes.nodes()) {
                if (only != null && !n.id().equals(only)) {
                    continue;
                }
                if (n.state().equals("RESYNCING")) {
                    resyncing = true;
                    lines.add(AdminRender.progress(n.id(), n.resync()));
                } else if (only != null) {
                    lines.add(n.id() + " is " + n.state());
                }
            }
            if (only != null && nodes.nodes().stream().noneMatch(n -> n.id().equals(only))) {
                lines.add(only + " is no longer a member");
            }
            if (terminal && drawn > 0) {
                out.print("\u001b[" + drawn + "A\u001b[J"); // back over the previous bars
            }
            lines.forEach(out::println);
            drawn = lines.size();
            if (!resyncing) {
                if (only == null) {
                    out.println("no member is resyncing (map epoch " + nodes.epoch() + ")");
                }
                return 0;
            }
            if (System.nanoTime() > deadline) {
                err.println("pohmelfs admin: still resyncing after " + timeout);
                return 3;
            }
            Thread.sleep(interval);
        }
    }

    private AdminViews.Nodes nodes() throws java.io.IOException, InterruptedException {
        return JSON.readValue(call("GET", "/nodes", null).body(), AdminViews.Nodes.class);
    }

    /**
     * The HTTP client: trusting the CA certificate(s) in the PEM file {@code cacert} (a gateway on
     * HTTPS with the cluster CA of {@code bin/pohmelfs certs}), else the JDK's default trust.
     */
    private static HttpClient client(String cacert) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (cacert != null) {
            try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(cacert))) {
                var certificates = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
                if (certificates.isEmpty()) {
                    throw new UsageError("--cacert " + cacert + ": no certificate in it");
                }
                var store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (var c : certificates) {
                    store.setCertificateEntry("ca" + i++, c);
                }
                var trust = javax.net.ssl.TrustManagerFactory.getInstance(
                        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
                var tls = javax.net.ssl.SSLContext.getInstance("TLS");
                tls.init(null, trust.getTrustManagers(), null);
                b.sslContext(tls);
            } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                throw new UsageError("--cacert " + cacert + ": " + e.getMessage());
            }
        }
        return b.build();
    }

    private HttpResponse<String> call(String method, String path, String body)
            throws java.io.IOException, InterruptedException {
        URI uri;
        try {
            uri = URI.create(url + "/admin/v1" + path);
        } catch (IllegalArgumentException e) {
            throw new UsageError("not a URL: " + url);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(1))
                .header("Authorization", token != null ? "Bearer " + token
                        : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                        .getBytes(StandardCharsets.UTF_8)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new Refused(r.statusCode() + " " + problem(r));
        }
        return r;
    }

    /** The detail of a problem+json answer, or why there is none. */
    private static String problem(HttpResponse<String> r) {
        if (r.statusCode() == 401) {
            return "authentication needed: a user with admin: true (--user/--password, POHMELFS_ADMIN_USER/PASSWORD)";
        }
        if (r.statusCode() == 403) {
            return "this user is not an admin";
        }
        try {
            JsonNode p = JSON.readTree(r.body());
            return p.path("code").asString("") + ": " + p.path("detail").asString(r.body());
        } catch (RuntimeException e) {
            return r.body();
        }
    }

    private static void arity(List<String> words, int n) {
        if (words.size() != n) {
            throw new UsageError(words.getFirst() + " takes " + (n - 1) + " argument(s)");
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new UsageError(option + " needs a value");
        }
        return args[i];
    }

    /** 500ms, 2s, 1m, or ISO-8601 (PT2S). */
    static Duration duration(String s) {
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            if (s.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            return Duration.parse(s);
        } catch (RuntimeException e) {
            throw new UsageError("not a duration: " + s);
        }
    }

    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }
}
