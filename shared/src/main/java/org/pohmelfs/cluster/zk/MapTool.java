package org.pohmelfs.cluster.zk;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.pohmelfs.cluster.ClusterMap;
import org.pohmelfs.cluster.ClusterMapJson;
import org.pohmelfs.cluster.MapChangeRefused;
import org.pohmelfs.cluster.Member;
import org.pohmelfs.cluster.MemberState;

/**
 * The operator's command line for the cluster map (design.md §4.1), {@code bin/pohmelfs map}:
 *
 * <pre>
 * init    CONNECT CLUSTER id=host:port...   the first map (all IN_SYNC, the first the authority); no-op if one exists
 * show    CONNECT CLUSTER                   the map as JSON, then the live nodes
 * fence   CONNECT CLUSTER ID                to OUT
 * resync  CONNECT CLUSTER ID                OUT to RESYNCING
 * promote CONNECT CLUSTER ID                RESYNCING to IN_SYNC
 * remove  CONNECT CLUSTER ID
 * add     CONNECT CLUSTER ID host:port      a new member, RESYNCING
 * </pre>
 *
 * <p>Every change goes through {@link ClusterMapStore#update} (compare-and-set, retried), so it
 * is safe next to running gateways. Prints the map in force afterwards. Exit status 0 on
 * success, 1 when the map refuses the change, 2 on a usage error or no map.
 */
public final class MapTool {
    private static final Duration SESSION = Duration.ofSeconds(10);

    private MapTool() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 3) {
            err.println("usage: map init|show|fence|resync|promote|remove|add CONNECT CLUSTER [ARGS]");
            return 2;
        }
        String command = args[0];
        List<String> rest = Arrays.asList(args).subList(3, args.length);
        try (CuratorFramework client = ZkClients.start(args[1], SESSION)) {
            ClusterMapStore store = new ClusterMapStore(client, args[2]);
            return switch (command) {
                case "init" -> init(store, rest, out, err);
                case "show" -> show(store, out, err);
                case "fence" -> change(store, rest, 1, err, out, m -> m.fence(rest.getFirst()));
                case "resync" -> change(store, rest, 1, err, out, m -> m.resync(rest.getFirst()));
                case "promote" -> change(store, rest, 1, err, out, m -> m.promote(rest.getFirst()));
                case "remove" -> change(store, rest, 1, err, out, m -> m.remove(rest.getFirst()));
                case "add" -> rest.size() != 2 ? usage(err, "add CONNECT CLUSTER ID host:port")
                        : change(store, rest, 2, err, out, m -> {
                            Member a = member(rest.get(0) + "=" + rest.get(1));
                            return m.add(a.id(), a.host(), a.port());
                        });
                default -> usage(err, "unknown command " + command);
            };
        } catch (MapChangeRefused e) {
            err.println("map: refused: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        } catch (Exception e) {
            err.println("map: " + e);
            return 2;
        }
    }

    private static int init(ClusterMapStore store, List<String> specs, PrintStream out, PrintStream err)
            throws Exception {
        if (specs.isEmpty()) {
            return usage(err, "init CONNECT CLUSTER id=host:port...");
        }
        List<Member> members = new ArrayList<>();
        for (String spec : specs) {
            members.add(member(spec));
        }
        ClusterMap wanted = ClusterMap.bootstrap(members);
        ClusterMap stored = store.initialize(wanted).map();
        if (!stored.equals(wanted)) {
            err.println("map: a map exists already (epoch " + stored.epoch() + "); left as it is");
        }
        print(stored, out);
        return 0;
    }

    private static int show(ClusterMapStore store, PrintStream out, PrintStream err) throws Exception {
        Optional<ClusterMapStore.VersionedMap> map = store.readLatest();
        if (map.isEmpty()) {
            err.println("map: no map at " + store.mapPath());
            return 2;
        }
        print(map.get().map(), out);
        out.println("live: " + String.join(" ", store.liveNodes()));
        return 0;
    }

    private static int change(ClusterMapStore store, List<String> rest, int arity, PrintStream err, PrintStream out,
                              UnaryOperator<ClusterMap> change) throws Exception {
        if (rest.size() != arity) {
            return usage(err, "expected " + arity + " argument(s) after CONNECT CLUSTER");
        }
        if (store.read().isEmpty()) {
            err.println("map: no map at " + store.mapPath());
            return 2;
        }
        print(store.update(change), out);
        return 0;
    }

    /** {@code id=host:port}. */
    static Member member(String spec) {
        int eq = spec.indexOf('=');
        int colon = spec.lastIndexOf(':');
        if (eq <= 0 || colon < eq + 2 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("not id=host:port: " + spec);
        }
        int port;
        try {
            port = Integer.parseInt(spec.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port in " + spec);
        }
        return new Member(spec.substring(0, eq), spec.substring(eq + 1, colon), port, MemberState.IN_SYNC);
    }

    private static void print(ClusterMap map, PrintStream out) {
        out.println(new String(ClusterMapJson.encode(map), StandardCharsets.UTF_8));
    }

    private static int usage(PrintStream err, String message) {
        err.println("map: " + message);
        return 2;
    }
}
