package org.pohmelfs.node.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A file or folder of a committed transaction that still has to be forced (group commit,
 * design.md §2.2), opened when the transaction committed. It is forced through the open
 * descriptor, so a later rename or delete of the path by another transaction does not make it
 * force the wrong thing or nothing. {@link #force} runs the force once, whoever calls first (the
 * transaction's own thread or the journal's force leader); later callers wait for that one, and
 * all see its outcome. The descriptor is closed after the force.
 */
public final class PendingForce {
    private final FileChannel channel;
    private final String what;
    private CompletableFuture<Void> done;

    PendingForce(FileChannel channel, String what) {
        this.channel = channel;
        this.what = what;
    }

    /** Forces the data and metadata (a folder: its entries), once; throws its failure to every caller. */
    public void force() throws IOException {
        CompletableFuture<Void> mine;
        boolean run;
        synchronized (this) {
            run = done == null;
            if (run) {
                done = new CompletableFuture<>();
            }
            mine = done;
        }
        if (run) {
            try (channel) {
                channel.force(true);
                mine.complete(null);
            } catch (IOException | RuntimeException e) {
                mine.completeExceptionally(e);
            }
        }
        try {
            mine.join();
        } catch (CompletionException e) {
            throw new IOException("forcing " + what + " failed", e.getCause());
        }
    }

    /** Closes the descriptor without forcing (the commit failed before the force was owed). */
    public void discard() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was owed
        }
    }

    @Override
    public String toString() {
        return what;
    }
}
