package org.pohmelfs.node.coherence;

import org.pohmelfs.protocol.Message;

/**
 * A transaction this node committed with HOLD (design.md §4.7), as it is forwarded when its
 * hold ends without UNHOLD: under the writer's identity ({@code peerId}, {@code incarnation},
 * the request's txid and epoch), without the HOLD command; {@code reply} is this node's own
 * answer, also without HOLD's result, what the other replicas must agree with.
 */
public record HeldWrite(String peerId, long incarnation, Message.Request request, Message.Reply reply) {
}
