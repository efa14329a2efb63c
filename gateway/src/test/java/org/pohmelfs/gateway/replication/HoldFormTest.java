package org.pohmelfs.gateway.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;

/** Which writes the authority holds, and how its reply reads without HOLD's result (design.md §4.7). Pure. */
class HoldFormTest {
    private static final ByteBuffer DATA = ByteBuffer.wrap(new byte[] {1});

    @Test
    void stableMutationsAreHeldUnstableChunksAndReadsAreNot() {
        assertThat(Replicas.holds(List.of(new Command.Write("/f", 0, DATA, true)))).isTrue();
        assertThat(Replicas.holds(List.of(new Command.Commit("/s"), new Command.Rename("/s", "/f", false)))).isTrue();
        assertThat(Replicas.holds(List.of(new Command.Write("/s", 0, DATA, false, true)))).isFalse();
        assertThat(Replicas.holds(List.of(new Command.Write("/s", 0, DATA, false, true), new Command.Commit("/s"))))
                .isTrue();
        assertThat(Replicas.holds(List.of(new Command.Write("/s", 0, DATA, false, true),
                new Command.Mkdir("/d", true, 0755)))).isTrue();
        assertThat(Replicas.holds(List.of(new Command.Commit("/s")))).isFalse();
        assertThat(Replicas.holds(List.of(new Command.Stat("/s")))).isFalse();
    }

    @Test
    void theAuthoritysReplyReadsAsTheOthersAndARefusedHoldFailsEveryCommand() {
        Result.Attrs attrs = new Result.Attrs(new org.pohmelfs.protocol.Attr(org.pohmelfs.protocol.FileType.FILE, 1, 0,
                0644, 7));
        Message.Reply ok = new Message.Reply(5, List.of(new Result.Ok(), attrs));
        assertThat(Replicas.unheld(ok, 1).results()).containsExactly(attrs);

        Message.Reply failed = new Message.Reply(5, List.of(new Result.Error(ErrorCode.ABORTED, "aborted"),
                new Result.Error(ErrorCode.NOT_FOUND, "no parent")));
        assertThat(Replicas.unheld(failed, 1).firstError().code()).isEqualTo(ErrorCode.NOT_FOUND);

        Message.Reply refused = new Message.Reply(5, List.of(new Result.Error(ErrorCode.INVALID_ARGUMENT, "HOLD"),
                new Result.Error(ErrorCode.ABORTED, "aborted")));
        assertThat(Replicas.unheld(refused, 1).firstError().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);

        Message.Reply busy = new Message.Reply(5, List.of(new Result.Error(ErrorCode.BUSY, "busy")));
        assertThat(Replicas.unheld(busy, 1)).isSameAs(busy); // not a reply to the held form: as it is
    }
}
