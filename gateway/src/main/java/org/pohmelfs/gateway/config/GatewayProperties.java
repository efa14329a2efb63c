package org.pohmelfs.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The gateway's configuration ({@code pohmelfs.gateway.*}).
 *
 * @param id             this gateway's identity (unique among gateways; sent to nodes; no `~`: it names the
 *                       gateway's entry in ZooKeeper, design.md §4.4)
 * @param cluster        cluster name, must match the nodes'
 * @param nodes          storage nodes as host:port
 * @param readOnly       refuse every change with 403
 * @param connectTimeout connect plus handshake with a node
 * @param requestTimeout how long one transaction may take on a node
 * @param pipelineDepth  data chunks in flight per upload or download (a download with split reads keeps at
 *                       least two per in-sync node, {@code replication.split-reads})
 * @param listPageMax    largest page of a directory listing
 * @param checksums      frame checksums accepted from nodes, most preferred first
 * @param tls            TLS towards the nodes
 * @param auth           HTTP authentication
 * @param cache          the coherent cache (design.md §3.5)
 * @param zookeeper      where the cluster map lives (design.md §4.1); none: a static map of {@code nodes}
 * @param replication    writes to every in-sync node, balanced reads (design.md §4.2, §4.3)
 */
@ConfigurationProperties("pohmelfs.gateway")
public record GatewayProperties(
        @DefaultValue("gw1") String id,
        @DefaultValue("pohmelfs") String cluster,
        @DefaultValue("127.0.0.1:7070") List<String> nodes,
        @DefaultValue("false") boolean readOnly,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("30s") Duration requestTimeout,
        @DefaultValue("4") int pipelineDepth,
        @DefaultValue("1000") int listPageMax,
        @DefaultValue("CRC32C") List<ChecksumAlgorithm> checksums,
        @DefaultValue Tls tls,
        @DefaultValue Auth auth,
        @DefaultValue Cache cache,
        @DefaultValue ZooKeeper zookeeper,
        @DefaultValue Replication replication) {

    /**
     * The cluster map in ZooKeeper. With {@code connect} set the map comes from ZooKeeper and
     * {@code pohmelfs.gateway.nodes} is ignored; the map's name is {@code pohmelfs.gateway.cluster}.
     *
     * @param connect        ZooKeeper connect string ({@code host:port,...}); unset: no ZooKeeper
     * @param sessionTimeout the ZooKeeper session timeout
     * @param firstMapWait   how long the start waits for the first map (readiness is DOWN until one is known)
     */
    public record ZooKeeper(String connect, @DefaultValue("10s") Duration sessionTimeout,
                            @DefaultValue("30s") Duration firstMapWait) {
        public boolean enabled() {
            return connect != null && !connect.isBlank();
        }
    }

    /**
     * Replication (design.md §4.2-4.4).
     *
     * @param nodeTimeout      how long a write may take on a node that is not the lock authority before
     *                         the gateway gives up on it (and fences it); without ZooKeeper (nothing can
     *                         be fenced) every node gets {@code request-timeout} instead
     * @param authorityTimeout the same for the lock authority: it must exceed the nodes' lease duration L,
     *                         since a mutation there waits for recalls (up to L for a dead holder)
     * @param readTimeout      how long a read may take on one node before it is tried on another
     * @param maxMapChanges    how often one write or read is resent at a newer epoch (STALE_EPOCH) before 503
     * @param refusedFor       how long a node may refuse connections (nothing listens on its port: the
     *                         process is gone) before a write gives up on it and fences it, without
     *                         waiting for its deadline; only with ZooKeeper (a static list cannot fence)
     * @param splitReads       spread the chunks of one large read over the in-sync nodes, each chunk to the node
     *                         with fewer reads in flight (of two drawn), with at least two chunks in flight per
     *                         in-sync node (more than {@code pipeline-depth} when needed); false: every chunk of a
     *                         read goes to one node, another only when it fails. Every chunk is checked against
     *                         the version the read started with either way (design.md §4.3)
     */
    public record Replication(@DefaultValue("5s") Duration nodeTimeout, @DefaultValue("15s") Duration authorityTimeout,
                              @DefaultValue("10s") Duration readTimeout, @DefaultValue("8") int maxMapChanges,
                              @DefaultValue("500ms") Duration refusedFor, @DefaultValue("true") boolean splitReads) {
    }

    /**
     * The coherent cache. Used only against nodes that grant leases; otherwise every read goes to
     * the node.
     *
     * @param enabled         cache at all
     * @param maxBytes        file content kept (blocks of 1 MiB, small files whole)
     * @param metadataMaxBytes attributes, listings and xattrs kept (estimated bytes)
     * @param maxFileSize     larger files are never kept, only streamed
     * @param idleRelease     a lease unused this long is given back to the node
     * @param disk            the optional disk tier for blocks of larger files
     */
    public record Cache(@DefaultValue("true") boolean enabled, @DefaultValue("256MB") DataSize maxBytes,
                        @DefaultValue("64MB") DataSize metadataMaxBytes, @DefaultValue("16MB") DataSize maxFileSize,
                        @DefaultValue("30s") Duration idleRelease, @DefaultValue Disk disk) {
    }

    /**
     * The content cache's disk tier (design.md §3.5, docs/operations.md "Disk cache"): blocks of
     * files larger than {@code cache.max-file-size}, and blocks evicted from memory, kept as files
     * (a header with a CRC32C, then the bytes) under {@code dir}. Off unless {@code dir} is set.
     *
     * @param dir         the folder of the tier; created if missing and EMPTIED at every start (use a
     *                    folder of its own, on a local disk); unset or empty: no disk tier. A folder
     *                    that cannot be used turns the tier off (logged), the gateway still starts
     * @param maxBytes    the most bytes the tier's files take (headers included; one block more while
     *                    one is being written); keep it below the free space of the folder's file system
     * @param maxFileSize the largest file whose blocks go to disk; larger files are only streamed
     */
    public record Disk(Path dir, @DefaultValue("10GB") DataSize maxBytes,
                       @DefaultValue("16GB") DataSize maxFileSize) {
        public boolean enabled() {
            return dir != null && !dir.toString().isBlank();
        }
    }

    /**
     * TLS towards the nodes: enabled when all three files are set.
     *
     * @param certificate PEM certificate chain of the gateway (its client certificate)
     * @param privateKey  PEM private key of the gateway
     * @param trustedCa   PEM CA certificate(s) that sign trusted nodes
     * @param required    refuse to talk to a node without TLS
     */
    public record Tls(Path certificate, Path privateKey, Path trustedCa, @DefaultValue("false") boolean required) {
        public boolean enabled() {
            return certificate != null && privateKey != null && trustedCa != null;
        }
    }

    /**
     * Authentication: HTTP Basic (users) and bearer tokens (docs/security.md, "Users and tokens").
     *
     * @param enabled            whether requests to /api and /dav need credentials (/admin always does: a
     *                           user with {@code admin: true})
     * @param users              users from configuration; passwords are stored hashed, e.g.
     *                           "{argon2}$argon2id$v=19$..." (bin/pohmelfs user hash) or "{bcrypt}$2a$10$..."
     * @param usersFile          a JSON users file (users and bearer tokens) written by bin/pohmelfs user|token;
     *                           reloaded when it changes, a broken file keeps the last good one. A name both
     *                           here and in {@code users} keeps the configured user
     * @param reloadInterval     how often the users file is checked for changes
     * @param allowNoopPasswords accept "{noop}" (plain text) passwords; only for throwaway local clusters
     * @param verificationCache  how long a successful password check is remembered (keyed by a salted
     *                           SHA-256 of user, password and stored hash, in memory only), so that WebDAV
     *                           clients, which send Basic on every request, do not pay a KDF each time;
     *                           0 turns the cache off
     * @param throttle           limits on failed logins
     * @param trustedProxies     addresses of reverse proxies whose X-Forwarded-For names the client; none by
     *                           default (the TCP peer is the client)
     */
    public record Auth(@DefaultValue("false") boolean enabled, @DefaultValue List<User> users, Path usersFile,
                       @DefaultValue("2s") Duration reloadInterval,
                       @DefaultValue("false") boolean allowNoopPasswords,
                       @DefaultValue("5m") Duration verificationCache,
                       @DefaultValue Throttle throttle, @DefaultValue List<String> trustedProxies) {
    }

    /**
     * Failed logins (bad password, unknown user, bad token) counted per client address and user in a
     * fixed window; past a limit, requests with credentials get 429 with Retry-After until the window
     * ends.
     *
     * @param window          how long failures are counted
     * @param pairFailures    failures of one user from one address before that pair is refused
     * @param userFailures    failures of one user from any address before the user is refused everywhere
     * @param addressFailures failures from one address for any users before the address is refused
     * @param maxEntries      most counters kept of each kind (the oldest go first), bounding memory
     */
    public record Throttle(@DefaultValue("1m") Duration window, @DefaultValue("5") int pairFailures,
                           @DefaultValue("20") int userFailures, @DefaultValue("20") int addressFailures,
                           @DefaultValue("100000") int maxEntries) {
    }

    /**
     * One user.
     *
     * @param name     the user name
     * @param password the hashed password, e.g. "{bcrypt}$2a$10$..."
     * @param readOnly the user may only read
     * @param admin    the user may use the admin API ({@code /admin/v1/}, role ADMIN; docs/admin.md)
     * @param root     the user's view of the tree starts at this path (REST and WebDAV alike); "/" is
     *                 the whole tree
     */
    public record User(String name, String password, @DefaultValue("false") boolean readOnly,
                       @DefaultValue("false") boolean admin, @DefaultValue("/") String root) {
    }
}
