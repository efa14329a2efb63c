package org.pohmelfs.protocol;

import java.util.List;
import java.util.Set;

/**
 * Everything that travels in one frame. See docs/protocol.md for the byte layout.
 *
 * <p>A connection starts with the client's {@link Hello} and the node's {@link Welcome} (or a
 * {@link ConnectionError} refusing it). After that the client sends {@link Request}s, each
 * carrying a transaction id, and the node answers each with a {@link Reply} carrying the same
 * id, in whatever order they complete. The node may send {@link Push} messages at any time; the
 * client answers each with a {@link PushAck}.
 */
public sealed interface Message {

    int frameType();

    /** The id in the frame header: the transaction id, the push id, or 0. */
    long id();

    /**
     * The client's opening message.
     *
     * @param minVersion  lowest protocol version the client speaks
     * @param maxVersion  highest protocol version the client speaks
     * @param peerId      the client's identity (gateway id), for logs and the reply cache
     * @param incarnation random per client process start; with peerId and txid it names a
     *                    transaction uniquely for the node's reply cache
     * @param clusterName must equal the node's
     * @param checksums   algorithms the client accepts, most preferred first
     * @param maxFrame    largest frame the client accepts
     * @param tls         whether the client sees TLS on this connection
     * @param features    optional capabilities by name (for example "locks", "push")
     */
    record Hello(int minVersion, int maxVersion, String peerId, long incarnation, String clusterName,
                 List<ChecksumAlgorithm> checksums, int maxFrame, boolean tls, Set<String> features)
            implements Message {
        public Hello {
            checksums = List.copyOf(checksums);
            features = Set.copyOf(features);
        }
        public int frameType() { return Opcodes.FRAME_HELLO; }
        public long id() { return 0; }
    }

    /**
     * The node's acceptance: what was agreed, and what the node reports of its export.
     *
     * @param version     the protocol version both will speak
     * @param nodeId      the node's identity
     * @param incarnation random per node process start; a change tells a client the node restarted
     * @param checksum    the algorithm every later frame in both directions carries
     * @param maxFrame    the largest frame either side may send from now on
     * @param epoch       the node's current cluster epoch (0 until a cluster map exists)
     * @param features    capabilities both sides have
     */
    record Welcome(int version, String nodeId, long incarnation, String clusterName,
                   ChecksumAlgorithm checksum, int maxFrame, long epoch, NodeInfo info,
                   Set<String> features) implements Message {
        public Welcome {
            features = Set.copyOf(features);
        }
        public int frameType() { return Opcodes.FRAME_WELCOME; }
        public long id() { return 0; }
    }

    /**
     * A transaction: its commands are applied in order, all or nothing.
     *
     * @param txid     unique per (peerId, incarnation); a resend uses the same id
     * @param epoch    the cluster epoch the sender acts in (0: not fenced)
     * @param commands one or more commands
     */
    record Request(long txid, long epoch, List<Command> commands) implements Message {
        public Request {
            commands = List.copyOf(commands);
        }
        public int frameType() { return Opcodes.FRAME_REQUEST; }
        public long id() { return txid; }

        public boolean mutates() {
            for (Command c : commands) {
                if (c.mutates()) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The answer to a request: one result per command, in the order of the commands. */
    record Reply(long txid, List<Result> results) implements Message {
        public Reply {
            results = List.copyOf(results);
        }
        public int frameType() { return Opcodes.FRAME_REPLY; }
        public long id() { return txid; }

        /** Whether every command succeeded (the transaction was committed). */
        public boolean ok() {
            for (Result r : results) {
                if (r instanceof Result.Error) {
                    return false;
                }
            }
            return true;
        }

        /** The first error of a failed transaction, or null. */
        public Result.Error firstError() {
            for (Result r : results) {
                if (r instanceof Result.Error e && e.code() != ErrorCode.ABORTED) {
                    return e;
                }
            }
            return null;
        }
    }

    /**
     * A server-initiated message. The kind decides the meaning of the body; kind
     * {@link Opcodes#PUSH_NOTICE} carries text for the client's log. Lock recalls (coherence
     * issue) add kinds without changing the frame.
     */
    record Push(long pushId, int kind, String path, String text) implements Message {
        public int frameType() { return Opcodes.FRAME_PUSH; }
        public long id() { return pushId; }
    }

    /** The client's acknowledgement of a push, after it has done what the push asked. */
    record PushAck(long pushId, Result result) implements Message {
        public int frameType() { return Opcodes.FRAME_PUSH_ACK; }
        public long id() { return pushId; }
    }

    /** A connection-level error (handshake refused, malformed frame); the sender then closes. */
    record ConnectionError(ErrorCode code, String message) implements Message {
        public int frameType() { return Opcodes.FRAME_ERROR; }
        public long id() { return 0; }
    }
}
