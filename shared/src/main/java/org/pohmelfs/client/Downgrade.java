package org.pohmelfs.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Opcodes;

/**
 * Rewrites a transaction so that it uses only what the peer negotiated (protocol §8: a client
 * never sends a command the WELCOME does not cover). Pure.
 *
 * <p>Without {@code unstable}: an unstable WRITE goes as a stable WRITE, and COMMIT of a path as
 * SYNC of it. Equivalent: every write was durable when its reply came, so what COMMIT vouches
 * for holds already, and SYNC keeps COMMIT's place (and its NOT_FOUND) in the transaction.
 */
public final class Downgrade {
    private Downgrade() {
    }

    /** {@code commands} as they may go to a peer whose WELCOME listed {@code features}. */
    public static List<Command> forPeer(List<Command> commands, Set<String> features) {
        if (features.contains(Opcodes.FEATURE_UNSTABLE) || commands.stream().noneMatch(Downgrade::needsUnstable)) {
            return commands;
        }
        List<Command> out = new ArrayList<>(commands.size());
        for (Command c : commands) {
            out.add(switch (c) {
                case Command.Write w -> w.stable();
                case Command.Commit k -> new Command.Sync(k.path());
                default -> c;
            });
        }
        return List.copyOf(out);
    }

    private static boolean needsUnstable(Command c) {
        return c instanceof Command.Commit || c instanceof Command.Write w && w.unstable();
    }
}
