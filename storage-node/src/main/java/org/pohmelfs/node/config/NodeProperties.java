package org.pohmelfs.node.config;

import java.nio.file.Path;
import java.util.List;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The storage node's configuration ({@code pohmelfs.node.*}).
 *
 * @param id                 this node's identity (unique in the cluster)
 * @param cluster            cluster name; clients of another cluster are refused
 * @param host               address the native protocol listens on
 * @param port               native protocol port
 * @param export             the export directory: files live here as plain files
 * @param sizeLimit          limit on the export's size (0: none)
 * @param readOnly           refuse every change
 * @param fsync              make every committed transaction durable before answering
 * @param maxFrame           largest frame accepted
 * @param checksums          frame checksum algorithms accepted, most preferred first
 * @param ioConcurrency      file-system calls running at once (each holds a carrier thread)
 * @param maxInFlight        transactions in flight per connection before reading pauses
 * @param replyCacheEntries  answered transactions remembered for resends
 * @param tls                TLS for the native protocol
 * @param davLockMaxTimeout  the longest lifetime of a WebDAV lock (also what "Timeout: Infinite" gets)
 * @param leases             serve coherence leases (features locks and push) and make mutations wait for recalls
 * @param leaseDuration      L: how long a lease grant or renewal lasts, and the longest grace period after start (design.md §3.6: lease horizon)
 * @param zookeeper          the cluster map in ZooKeeper (design.md §4.1); none when {@code connect} is unset
 * @param resync             how a node that is OUT or RESYNCING in the map catches up (design.md §5)
 * @param unstableWrites     offer the {@code unstable} feature: WRITE_UNSTABLE is committed without
 *                           forcing until a COMMIT of the path (protocol §4.8, design.md §2.1); off:
 *                           every write is durable at its reply, COMMIT acts as SYNC
 * @param hold               offer the {@code hold} feature (with {@code leases}): a transaction that starts
 *                           with HOLD keeps its transient mutation locks after it commits until UNHOLD, the
 *                           connection's close or one lease duration; in the last two cases the node first
 *                           forwards the write to the other IN_SYNC members and fences those that fail
 *                           (protocol §4.8.2, design.md §4.7)
 * @param holdForwardTimeout how long one member may take to take a forwarded held write (resends included)
 *                           before the node fences it; like a gateway's {@code replication.node-timeout}
 */
@ConfigurationProperties("pohmelfs.node")
public record NodeProperties(
        @DefaultValue("node1") String id,
        @DefaultValue("pohmelfs") String cluster,
        @DefaultValue("127.0.0.1") String host,
        @DefaultValue("7070") int port,
        @DefaultValue("./data/node1") Path export,
        @DefaultValue("0B") DataSize sizeLimit,
        @DefaultValue("false") boolean readOnly,
        @DefaultValue("true") boolean fsync,
        @DefaultValue("4MB") DataSize maxFrame,
        @DefaultValue("CRC32C") List<ChecksumAlgorithm> checksums,
        @DefaultValue("64") int ioConcurrency,
        @DefaultValue("256") int maxInFlight,
        @DefaultValue("100000") int replyCacheEntries,
        @DefaultValue Tls tls,
        @DefaultValue("1h") java.time.Duration davLockMaxTimeout,
        @DefaultValue("true") boolean leases,
        @DefaultValue("10s") java.time.Duration leaseDuration,
        @DefaultValue ZooKeeper zookeeper,
        @DefaultValue Resync resync,
        @DefaultValue("true") boolean unstableWrites,
        @DefaultValue("true") boolean hold,
        @DefaultValue("5s") java.time.Duration holdForwardTimeout) {

    /**
     * Resync (design.md §5; only with a cluster map).
     *
     * @param enabled  catch up and rejoin by itself when the map says OUT or RESYNCING
     * @param grace    wait between a pass's walk and its copies, for live writes in flight
     * @param settle   wait before the confirming quiet pass; longer than a gateway resends one write
     *                 to one node ({@code replication.node-timeout}, 5 s)
     * @param parallel files fetched at once (each one STAT on each side, its READs, a temporary
     *                 file and a rename)
     * @param timeout  per request to the source
     * @param window   READs in flight per file larger than one chunk
     * @param chunk    bytes one READ asks the source for; lowered to what fits in the frame the
     *                 connection negotiated ({@code max-frame}); the first READ of a file shares its
     *                 reply with the xattrs and asks for at most 1 MiB
     * @param verify   {@code never}, {@code once} or {@code always}: when a resync's first pass is a
     *                 <em>verify pass</em>, which also compares every file whose version agrees with
     *                 the source's by SHA-256 (CHECKSUM) and client xattrs, to repair what changed on
     *                 this node's disk outside the protocol (bit rot, an rsync, a restored backup);
     *                 it reads every byte on both nodes. {@code once}: only when the node found its
     *                 export changed outside it, i.e. a start found objects without a version, or an
     *                 operator created {@code .pohmelfs/verify-on-resync} in the export; the marker
     *                 goes when a verify pass has run. {@code always}: every resync. design.md §5
     */
    public record Resync(@DefaultValue("true") boolean enabled, @DefaultValue("300ms") java.time.Duration grace,
                         @DefaultValue("6s") java.time.Duration settle, @DefaultValue("16") int parallel,
                         @DefaultValue("30s") java.time.Duration timeout, @DefaultValue("4") int window,
                         @DefaultValue("1MB") DataSize chunk,
                         @DefaultValue("once") org.pohmelfs.node.resync.ResyncDriver.Verify verify) {
        public Resync {
            if (parallel < 1 || window < 1) {
                throw new IllegalArgumentException("pohmelfs.node.resync.parallel and .window must be at least 1: "
                        + parallel + ", " + window);
            }
            if (chunk.toBytes() < 4096 || chunk.toBytes() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("pohmelfs.node.resync.chunk must be between 4KB and 2GB: " + chunk);
            }
        }
    }

    /**
     * Where the cluster map lives. With {@code connect} set, the node follows the map of its
     * cluster (which must exist), fences requests by its epoch and registers itself live;
     * without, it runs a standalone epoch fence (protocol §6.3).
     *
     * @param connect        ZooKeeper connect string, {@code host:port,...}
     * @param sessionTimeout how long the node's liveness entry outlives a silent node
     * @param refuseUnfenced refuse requests that carry epoch 0
     */
    public record ZooKeeper(String connect, @DefaultValue("10s") java.time.Duration sessionTimeout,
                            @DefaultValue("false") boolean refuseUnfenced) {
    }

    /**
     * TLS on the native protocol: enabled when all three files are set.
     *
     * @param certificate PEM certificate chain of the node
     * @param privateKey  PEM private key of the node
     * @param trustedCa   PEM CA certificate(s) that sign trusted gateways
     * @param required    refuse plaintext clients
     */
    public record Tls(Path certificate, Path privateKey, Path trustedCa, @DefaultValue("false") boolean required) {
        public boolean enabled() {
            return certificate != null && privateKey != null && trustedCa != null;
        }
    }
}
