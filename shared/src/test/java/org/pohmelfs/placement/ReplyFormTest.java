package org.pohmelfs.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.FileType;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;

/** What replicas must agree on in a reply (design.md §4.2): sizes and versions, but not an unstable chunk's size. */
class ReplyFormTest {
    private static Message.Reply file(long size, long version) {
        return new Message.Reply(7, List.of(new Result.Attrs(new Attr(FileType.FILE, size, 123, 0644, version))));
    }

    private static Command write(boolean unstable) {
        return new Command.Write("/.upload/x", 1 << 20, ByteBuffer.allocate(16), true, unstable);
    }

    @Test
    void anUnstableChunkAgreesWhateverSizeItsStagingFileHadReachedOnEachNode() {
        // Pipelined chunks land in another order on each node: after this one node1 had 1 MiB, node3 3 MiB.
        List<Command> chunk = List.of(write(true));
        assertThat(ReplyForm.of(file(1 << 20, 5), chunk)).isEqualTo(ReplyForm.of(file(3 << 20, 5), chunk));
        assertThat(ReplyForm.of(file(1 << 20, 5), chunk)).as("the version still counts")
                .isNotEqualTo(ReplyForm.of(file(1 << 20, 6), chunk));
        assertThat(ReplyForm.of(new Message.Reply(7, List.of(new Result.Error(org.pohmelfs.protocol.ErrorCode.NO_SPACE, "full"))), chunk))
                .isNotEqualTo(ReplyForm.of(file(1 << 20, 5), chunk));
    }

    @Test
    void aStableWriteMustReportTheSameSizeAndAnyReplyReadWithoutItsCommandsToo() {
        List<Command> stable = List.of(write(false));
        assertThat(ReplyForm.of(file(1 << 20, 5), stable)).isNotEqualTo(ReplyForm.of(file(3 << 20, 5), stable));
        assertThat(ReplyForm.of(file(1 << 20, 5))).isNotEqualTo(ReplyForm.of(file(3 << 20, 5)));
        // Results that do not line up with the commands are read as without them (sizes count).
        assertThat(ReplyForm.of(file(1 << 20, 5), List.of(write(true), write(true))))
                .isNotEqualTo(ReplyForm.of(file(3 << 20, 5), List.of(write(true), write(true))));
    }
}
