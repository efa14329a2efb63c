package org.pohmelfs.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Opcodes;
import org.pohmelfs.protocol.Result;

class DowngradeTest {
    private static final ByteBuffer DATA = ByteBuffer.wrap(new byte[] {1, 2, 3});

    @Test
    void withoutTheFeatureUnstableWritesGoStableAndCommitGoesAsSync() {
        List<Command> tx = List.of(new Command.Commit("/s"), new Command.Mkdir("/d", true, 0755),
                new Command.Rename("/s", "/d/f", false));
        assertThat(Downgrade.forPeer(tx, Set.of("davlocks"))).containsExactly(new Command.Sync("/s"),
                new Command.Mkdir("/d", true, 0755), new Command.Rename("/s", "/d/f", false));

        List<Command> write = List.of(new Command.Write("/s", 4, DATA, false, true));
        List<Command> sent = Downgrade.forPeer(write, Set.of());
        assertThat(sent).containsExactly(new Command.Write("/s", 4, DATA, false));
        assertThat(sent.getFirst().opcode()).isEqualTo(Opcodes.WRITE);
    }

    @Test
    void withTheFeatureOrWithNothingUnstableTheTransactionIsSentAsItIs() {
        List<Command> unstable = List.of(new Command.Write("/s", 0, DATA, true, true), new Command.Commit("/s"));
        assertThat(Downgrade.forPeer(unstable, Set.of(Opcodes.FEATURE_UNSTABLE))).isSameAs(unstable);
        List<Command> stable = List.of(new Command.Write("/s", 0, DATA, true), new Command.Sync("/s"));
        assertThat(Downgrade.forPeer(stable, Set.of())).isSameAs(stable);
    }

    @Test
    void withoutTheFeatureHoldIsDroppedAndItsResultPutBackInFront() {
        List<Command> tx = List.of(new Command.Hold(), new Command.Mkdir("/d", false, 0755),
                new Command.Write("/d/f", 0, DATA, true, true));
        List<Command> sent = Downgrade.forPeer(tx, Set.of(Opcodes.FEATURE_UNSTABLE));
        assertThat(sent).containsExactly(new Command.Mkdir("/d", false, 0755), new Command.Write("/d/f", 0, DATA, true, true));
        // Both downgrades at once: no HOLD, the write stable.
        assertThat(Downgrade.forPeer(tx, Set.of())).containsExactly(new Command.Mkdir("/d", false, 0755),
                new Command.Write("/d/f", 0, DATA, true));

        Message.Reply ok = new Message.Reply(7, List.of(new Result.Ok(), new Result.Ok()));
        assertThat(Downgrade.restoreHold(tx, sent, ok).results()).containsExactly(new Result.Ok(), new Result.Ok(),
                new Result.Ok());
        Message.Reply failed = new Message.Reply(7, List.of(new Result.Error(ErrorCode.EXISTS, "exists"),
                new Result.Error(ErrorCode.ABORTED, "aborted")));
        Message.Reply restored = Downgrade.restoreHold(tx, sent, failed);
        assertThat(restored.results()).hasSize(3);
        assertThat(restored.results().getFirst()).isInstanceOf(Result.Error.class)
                .extracting(r -> ((Result.Error) r).code()).isEqualTo(ErrorCode.ABORTED);
        assertThat(restored.firstError().code()).isEqualTo(ErrorCode.EXISTS);
    }

    @Test
    void withTheFeatureHoldGoesAsItIsAndItsReplyIsLeftAlone() {
        List<Command> tx = List.of(new Command.Hold(), new Command.Delete("/x", false));
        assertThat(Downgrade.forPeer(tx, Set.of(Opcodes.FEATURE_HOLD, Opcodes.FEATURE_UNSTABLE))).isSameAs(tx);
        Message.Reply reply = new Message.Reply(3, List.of(new Result.Ok(), new Result.Ok()));
        assertThat(Downgrade.restoreHold(tx, tx, reply)).isSameAs(reply);
    }
}
