package org.pohmelfs.node.txn;

/** Names one transaction for the reply cache: the sender, its process start, and its txid. */
record ReplyKey(String peerId, long incarnation, long txid) {
}
