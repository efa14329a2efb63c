package org.pohmelfs.protocol;

import java.util.HashSet;
import java.util.Set;

/**
 * The handshake rules, as pure functions: the node decides with {@link #accept}, the client
 * checks the answer with {@link #check}. Anything one side requires and the other lacks is a
 * refusal that names it, never a silent downgrade.
 */
public final class Handshake {
    /** The protocol versions this build speaks. */
    public static final int MIN_VERSION = 1;
    public static final int MAX_VERSION = 1;
    /** Feature: the node holds and enforces WebDAV locks (commands 0x0060-0x0064). */
    public static final String FEATURE_DAVLOCKS = "davlocks";

    private Handshake() {
    }

    /** The node's identity and state, as it answers a HELLO. */
    public record NodeIdentity(String nodeId, long incarnation, String clusterName, long epoch,
                               Set<String> features) {
    }

    /** Either a WELCOME to send, or the ConnectionError refusing the peer. */
    public sealed interface Decision {
        record Accept(Message.Welcome welcome) implements Decision {
        }

        record Refuse(Message.ConnectionError error) implements Decision {
        }
    }

    /**
     * The node's decision on a client's HELLO.
     *
     * @param tlsActive whether this connection runs over TLS as the node sees it
     */
    public static Decision accept(LinkPolicy policy, NodeIdentity node, NodeInfo info, Message.Hello hello,
                                  boolean tlsActive) {
        if (hello.maxVersion() < MIN_VERSION || hello.minVersion() > MAX_VERSION) {
            return refuse("protocol version: peer speaks " + hello.minVersion() + ".." + hello.maxVersion()
                    + ", node " + node.nodeId() + " speaks " + MIN_VERSION + ".." + MAX_VERSION);
        }
        if (!hello.clusterName().equals(node.clusterName())) {
            return refuse("cluster name: peer is in '" + hello.clusterName() + "', node " + node.nodeId()
                    + " is in '" + node.clusterName() + "'");
        }
        if (policy.requireTls() && !tlsActive) {
            return refuse("TLS: node " + node.nodeId() + " requires TLS and the connection is plaintext");
        }
        if (hello.tls() != tlsActive) {
            return refuse("TLS: peer believes TLS is " + (hello.tls() ? "on" : "off") + " but node "
                    + node.nodeId() + " sees it " + (tlsActive ? "on" : "off"));
        }
        ChecksumAlgorithm chosen = null;
        for (ChecksumAlgorithm c : hello.checksums()) {
            if (policy.checksums().contains(c) && (c != ChecksumAlgorithm.NONE || tlsActive)) {
                chosen = c;
                break;
            }
        }
        if (chosen == null) {
            return refuse("checksum algorithm: peer requires one of " + hello.checksums() + ", node "
                    + node.nodeId() + " accepts " + policy.checksums()
                    + (hello.checksums().contains(ChecksumAlgorithm.NONE) && !tlsActive
                    ? " (NONE only over TLS)" : ""));
        }
        int maxFrame = Math.min(policy.maxFrame(), hello.maxFrame());
        if (maxFrame < LinkPolicy.MIN_FRAME) {
            return refuse("max frame: peer accepts only " + hello.maxFrame() + " bytes, the minimum is "
                    + LinkPolicy.MIN_FRAME);
        }
        Set<String> features = new HashSet<>(hello.features());
        features.retainAll(node.features());
        int version = Math.min(MAX_VERSION, hello.maxVersion());
        return new Decision.Accept(new Message.Welcome(version, node.nodeId(), node.incarnation(),
                node.clusterName(), chosen, maxFrame, node.epoch(), info, features));
    }

    /**
     * The client's check of a node's WELCOME against what it asked for; null when acceptable,
     * else the reason to refuse it.
     */
    public static String check(LinkPolicy policy, Message.Hello hello, Message.Welcome welcome) {
        if (welcome.version() < hello.minVersion() || welcome.version() > hello.maxVersion()) {
            return "node chose protocol version " + welcome.version() + " outside " + hello.minVersion() + ".."
                    + hello.maxVersion();
        }
        if (!welcome.clusterName().equals(hello.clusterName())) {
            return "node " + welcome.nodeId() + " is in cluster '" + welcome.clusterName() + "', not '"
                    + hello.clusterName() + "'";
        }
        if (policy.requireTls() && !hello.tls()) {
            return "TLS: this side requires TLS and the connection to node " + welcome.nodeId() + " is plaintext";
        }
        if (!policy.checksums().contains(welcome.checksum())) {
            return "checksum algorithm: node " + welcome.nodeId() + " chose " + welcome.checksum()
                    + ", this side accepts " + policy.checksums();
        }
        if (welcome.checksum() == ChecksumAlgorithm.NONE && !hello.tls()) {
            return "checksum algorithm: node " + welcome.nodeId() + " chose NONE on a plaintext connection";
        }
        if (welcome.maxFrame() > policy.maxFrame() || welcome.maxFrame() < LinkPolicy.MIN_FRAME) {
            return "max frame: node " + welcome.nodeId() + " chose " + welcome.maxFrame();
        }
        return null;
    }

    private static Decision refuse(String why) {
        return new Decision.Refuse(new Message.ConnectionError(ErrorCode.HANDSHAKE_REFUSED, why));
    }
}
