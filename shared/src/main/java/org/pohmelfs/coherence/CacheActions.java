package org.pohmelfs.coherence;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one {@link CacheEntryState#step} asks the gateway driver to do. The driver does them in
 * the order of the fields: messages to the lock authority (ACQUIRE, RENEW, DOWNGRADE, RELEASE,
 * then the PUSH_ACKs), then local work.
 *
 * @param acquire     send ACQUIRE with this mode
 * @param renew       send RENEW (one per connection covers every lease held there)
 * @param downgrade   send DOWNGRADE
 * @param release     send RELEASE
 * @param pushAcks    send PUSH_ACK OK for each push id
 * @param startFlush  write the dirty data back to every in-sync replica, then step FD or FF
 * @param serveReads  serve the current read and every waiting one from the cache
 * @param runWrites   let the current write and every waiting one proceed
 * @param failWaiters fail (or retry) every waiting or in-progress request on this object
 * @param dropData    drop the cached data
 */
public record CacheActions(Optional<LockMode> acquire, boolean renew, boolean downgrade, boolean release,
                           List<Long> pushAcks, boolean startFlush, boolean serveReads, boolean runWrites,
                           boolean failWaiters, boolean dropData) {
    public static final CacheActions NONE = new CacheActions(Optional.empty(), false, false, false, List.of(),
            false, false, false, false, false);

    public CacheActions {
        pushAcks = List.copyOf(pushAcks);
    }

    /** A compact form for tests and logs, e.g. {@code "ACQUIRE_X ACK(7) DROP"}; "-" when nothing. */
    @Override
    public String toString() {
        List<String> t = new ArrayList<>();
        acquire.ifPresent(m -> t.add(m == LockMode.SHARED ? "ACQUIRE_S" : "ACQUIRE_X"));
        if (renew) {
            t.add("RENEW");
        }
        if (downgrade) {
            t.add("DOWNGRADE");
        }
        if (release) {
            t.add("RELEASE");
        }
        if (!pushAcks.isEmpty()) {
            t.add("ACK" + pushAcks.toString().replace('[', '(').replace(']', ')').replace(" ", ""));
        }
        if (startFlush) {
            t.add("FLUSH");
        }
        if (serveReads) {
            t.add("SERVE");
        }
        if (runWrites) {
            t.add("RUN");
        }
        if (failWaiters) {
            t.add("FAIL");
        }
        if (dropData) {
            t.add("DROP");
        }
        return t.isEmpty() ? "-" : String.join(" ", t);
    }
}
