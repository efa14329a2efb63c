package org.pohmelfs.node.txn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pohmelfs.protocol.Message;

/**
 * The replies of the last {@code capacity} decided transactions, oldest dropped first. A resend
 * (same peer, incarnation and txid) is answered from here instead of being applied again.
 * Thread-safe.
 */
final class ReplyCache {
    private final int capacity;
    private final LinkedHashMap<ReplyKey, Message.Reply> map;

    ReplyCache(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ReplyKey, Message.Reply> eldest) {
                return size() > ReplyCache.this.capacity;
            }
        };
    }

    synchronized Message.Reply get(ReplyKey key) {
        return map.get(key);
    }

    synchronized void put(ReplyKey key, Message.Reply reply) {
        map.remove(key);
        map.put(key, reply);
    }

    /** The cached entries, oldest first. */
    synchronized List<Map.Entry<ReplyKey, Message.Reply>> entries() {
        return new ArrayList<>(map.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList());
    }

    synchronized int size() {
        return map.size();
    }
}
