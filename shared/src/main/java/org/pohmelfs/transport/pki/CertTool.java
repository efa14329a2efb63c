package org.pohmelfs.transport.pki;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/pohmelfs certs}: creates the cluster CA and the node and gateway certificates
 * ({@link ClusterPki}).
 * <pre>
 *   certs --dir DIR [--nodes N] [--gateways N] [--name HOST|IP ...] [--days D] [--force]
 * </pre>
 * Exit status 0 on success, 2 on a usage error, 1 when the files cannot be written.
 */
public final class CertTool {
    static final String USAGE = "usage: certs --dir DIR [--nodes N (3)] [--gateways N (1)] [--name HOST|IP ...] "
            + "[--days LEAF_DAYS (825)] [--force]";

    private CertTool() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the tool; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        ClusterPki.Request request;
        try {
            request = parse(args, Instant.now());
        } catch (IllegalArgumentException e) {
            err.println("certs: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            for (ClusterPki.Outcome o : ClusterPki.issue(request)) {
                out.println((o.created() ? "created " : "kept    ") + o.file());
            }
            return 0;
        } catch (IOException e) {
            err.println("certs: " + e.getMessage());
            return 1;
        }
    }

    static ClusterPki.Request parse(String[] args, Instant now) {
        Path dir = null;
        int nodes = 3;
        int gateways = 1;
        long days = ClusterPki.DEFAULT_LEAF_VALIDITY.toDays();
        boolean force = false;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--force" -> force = true;
                case "--dir", "--nodes", "--gateways", "--name", "--days" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    String v = args[++i];
                    switch (a) {
                        case "--dir" -> dir = Path.of(v);
                        case "--nodes" -> nodes = number(a, v);
                        case "--gateways" -> gateways = number(a, v);
                        case "--days" -> days = number(a, v);
                        default -> names.add(v);
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("--dir is required");
        }
        if (days < 1) {
            throw new IllegalArgumentException("--days must be at least 1");
        }
        return new ClusterPki.Request(dir, nodes, gateways, names, force, ClusterPki.DEFAULT_CA_VALIDITY,
                Duration.ofDays(days), now);
    }

    private static int number(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, not '" + value + "'");
        }
    }
}
