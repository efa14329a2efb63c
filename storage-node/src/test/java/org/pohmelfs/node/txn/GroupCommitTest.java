package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;

/**
 * Group commit on a real export with fsync on: many stable transactions in flight at once, and
 * readers beside them. Every answered transaction's End record lies inside the part of the
 * journal that was forced when its reply came back, and so does the End of every write a read
 * saw: no one outside sees a change that a power loss could take back.
 */
class GroupCommitTest {
    private static final int WRITERS = 16;
    private static final int ROUNDS = 20;
    private static final int READERS = 4;
    private static final String PEER = "gc";

    @TempDir
    Path dir;

    /** A write's content: writer, round, then padding to 4 KiB. */
    private static byte[] content(int writer, int round) {
        byte[] b = new byte[4096];
        byte[] head = (writer + ":" + round + ";").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, b, 0, head.length);
        return b;
    }

    private static long txid(int writer, int round) {
        return writer * 1_000L + round + 1;
    }

    @Test
    void everyAnsweredTransactionAndEverySeenWriteIsInTheForcedJournal() throws Exception {
        Path export = Files.createDirectory(dir.resolve("export"));
        Map<Long, Long> durableAtReply = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<long[]> seen = new ConcurrentLinkedQueue<>(); // {txid, durable bytes after the read}
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        long forcesBefore;
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export))) {
            for (int w = 0; w < WRITERS; w++) {
                ok(tm.apply(PEER, 1, new Message.Request(txid(w, 0), 0,
                        List.of(new Command.Write("/w" + w, 0, ByteBuffer.wrap(content(w, 0)), true)))));
            }
            forcesBefore = tm.journalForces();
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                int me = r;
                readers.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; writing.get(); i++) {
                            int w = (me + i) % WRITERS;
                            Message.Reply reply = tm.apply(PEER, 1, new Message.Request(1_000_000L + i, 0,
                                    List.of(new Command.Read("/w" + w, 0, 64))));
                            long durable = tm.durableJournalBytes();
                            ok(reply);
                            String head = StandardCharsets.US_ASCII.decode(((Result.Data) reply.results().getFirst())
                                    .data()).toString();
                            int round = Integer.parseInt(head.substring(head.indexOf(':') + 1, head.indexOf(';')));
                            seen.add(new long[] {txid(w, round), durable});
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int me = w;
                writers.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int round = 1; round <= ROUNDS; round++) {
                            long txid = txid(me, round);
                            ok(tm.apply(PEER, 1, new Message.Request(txid, 0, List.of(
                                    new Command.Write("/w" + me, 0, ByteBuffer.wrap(content(me, round)), false)))));
                            durableAtReply.put(txid, tm.durableJournalBytes());
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            for (Thread t : writers) {
                t.join();
            }
            writing.set(false);
            for (Thread t : readers) {
                t.join();
            }
            assertThat(failures).isEmpty();
            long transactions = (long) WRITERS * ROUNDS;
            // Informational: how many forces the transactions shared (not asserted: it depends on timing).
            System.out.printf("group commit: %d transactions, %d journal forces%n", transactions,
                    tm.journalForces() - forcesBefore);
        }
        Map<Long, Long> endAt = new HashMap<>();
        for (Journal.Positioned p : Journal.readPositioned(export.resolve(".pohmelfs/journal"))) {
            if (p.record() instanceof JournalRecord.End e && e.committed()) {
                endAt.put(e.key().txid(), p.end());
            }
        }
        assertThat(durableAtReply).hasSize(WRITERS * ROUNDS);
        for (Map.Entry<Long, Long> e : durableAtReply.entrySet()) {
            assertThat(endAt).as("End of txid %d", e.getKey()).containsKey(e.getKey());
            assertThat(endAt.get(e.getKey())).as("End of txid %d lies in the journal forced at its reply", e.getKey())
                    .isLessThanOrEqualTo(e.getValue());
        }
        assertThat(seen).isNotEmpty();
        for (long[] s : seen) {
            assertThat(endAt.get(s[0])).as("End of txid %d, whose write a read saw", s[0])
                    .isLessThanOrEqualTo(s[1]);
        }
    }

    private static void ok(Message.Reply r) {
        assertThat(r.ok()).as("reply %s", r).isTrue();
    }
}
