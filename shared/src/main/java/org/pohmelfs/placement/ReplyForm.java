package org.pohmelfs.placement;

import java.util.ArrayList;
import java.util.List;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.DavLock;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;

/**
 * What replicas must agree on in the reply to one mutating transaction (design.md §4.2): per
 * command its result kind, error code, and the versions, types and sizes it reports; not
 * mtimes, lock expiry times or free space, which differ between nodes by nature. Directory
 * versions are left out too: a directory's version is a sum that starts from a random value
 * on a fresh export's root (design.md §4.5, "by-hand objects"), so replicas seeded apart differ
 * there by a constant until resync, while agreeing on every file version. Two replicas with
 * equal forms applied the transaction alike. Pure. Used by the gateway's fan-out and by a node
 * forwarding a held write (design.md §4.7).
 */
public record ReplyForm(List<String> results) {
    public ReplyForm {
        results = List.copyOf(results);
    }

    public static ReplyForm of(Message.Reply reply) {
        return of(reply, List.of());
    }

    /**
     * The form of {@code reply} to {@code commands} (one result per command; otherwise, or when
     * {@code commands} is empty, as {@link #of(Message.Reply)}). An unstable WRITE's size is left
     * out: it is the size of the upload's private staging file after this chunk, which depends on
     * which of the chunks pipelined before it a node has applied yet (they may land in another
     * order on each node), and no reader ever sees that file; the COMMIT that makes it visible
     * reports the final size, which is compared. Seen as a false disagreement that fenced a node
     * in the middle of a 32 MiB PUT on a loaded machine.
     */
    public static ReplyForm of(Message.Reply reply, List<Command> commands) {
        boolean aligned = commands.size() == reply.results().size();
        List<String> out = new ArrayList<>(reply.results().size());
        for (int i = 0; i < reply.results().size(); i++) {
            Result r = reply.results().get(i);
            boolean unstable = aligned && commands.get(i) instanceof Command.Write w && w.unstable();
            out.add(switch (r) {
                case Result.Ok ok -> "ok";
                case Result.Error e -> "error " + e.code();
                case Result.Attrs a when unstable && !a.attr().isDirectory() ->
                        "attrs " + a.attr().type() + " (unstable) " + a.attr().version();
                case Result.Attrs a -> a.attr().isDirectory() ? "attrs directory"
                        : "attrs " + a.attr().type() + " " + a.attr().size() + " " + a.attr().version();
                case Result.Data d -> "data " + d.attr().version() + " " + d.data().remaining();
                case Result.Locks l -> "locks " + l.locks().stream().map(ReplyForm::lock).toList();
                default -> r.getClass().getSimpleName();
            });
        }
        return new ReplyForm(out);
    }

    private static String lock(DavLock l) {
        return l.token() + "@" + l.root() + (l.exclusive() ? " x" : " s");
    }
}
