package org.pohmelfs.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.Opcodes;

/**
 * Rewrites a transaction so that it uses only what the peer negotiated (protocol §8: a client
 * never sends a command the WELCOME does not cover). Pure.
 *
 * <p>Without {@code unstable}: an unstable WRITE goes as a stable WRITE, and COMMIT of a path as
 * SYNC of it. Equivalent: every write was durable when its reply came, so what COMMIT vouches
 * for holds already, and SYNC keeps COMMIT's place (and its NOT_FOUND) in the transaction.
 *
 * <p>Without {@code hold}: HOLD is dropped (the peer applies the transaction without keeping its
 * locks: a single node, or an old one, has nobody to wait for). The reply then has one result
 * fewer; {@link #restoreHold} gives HOLD its place back, so the caller sees one result per
 * command it sent.
 */
public final class Downgrade {
    private Downgrade() {
    }

    /** {@code commands} as they may go to a peer whose WELCOME listed {@code features}. */
    public static List<Command> forPeer(List<Command> commands, Set<String> features) {
        boolean unstable = !features.contains(Opcodes.FEATURE_UNSTABLE) && commands.stream().anyMatch(Downgrade::needsUnstable);
        boolean hold = !features.contains(Opcodes.FEATURE_HOLD) && commands.stream().anyMatch(Downgrade::isHold);
        if (!unstable && !hold) {
            return commands;
        }
        List<Command> out = new ArrayList<>(commands.size());
        for (Command c : commands) {
            if (hold && isHold(c)) {
                continue;
            }
            out.add(!unstable ? c : switch (c) {
                case Command.Write w -> w.stable();
                case Command.Commit k -> new Command.Sync(k.path());
                default -> c;
            });
        }
        return List.copyOf(out);
    }

    /**
     * The reply to {@code original} when {@code sent} (its {@link #forPeer} form) dropped a leading
     * HOLD: HOLD's result put back in front, OK when the transaction committed, ABORTED otherwise
     * (protocol §6.1). Any other reply is returned as it is.
     */
    public static Message.Reply restoreHold(List<Command> original, List<Command> sent, Message.Reply reply) {
        if (original.isEmpty() || !isHold(original.getFirst()) || !sent.isEmpty() && isHold(sent.getFirst())
                || reply.results().size() != sent.size()) {
            return reply;
        }
        List<Result> results = new ArrayList<>(reply.results().size() + 1);
        results.add(reply.ok() ? new Result.Ok() : new Result.Error(ErrorCode.ABORTED, "aborted: the transaction failed"));
        results.addAll(reply.results());
        return new Message.Reply(reply.txid(), results);
    }

    private static boolean isHold(Command c) {
        return c instanceof Command.Hold;
    }

    private static boolean needsUnstable(Command c) {
        return c instanceof Command.Commit || c instanceof Command.Write w && w.unstable();
    }
}
