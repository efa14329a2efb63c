package org.pohmelfs.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Opcodes;
import org.pohmelfs.protocol.Result;

/**
 * WRITE_UNSTABLE (0x0028), COMMIT (0x0004) and UNSTABLE_LOST (1013) on the wire (protocol §4.8,
 * §9.5). The CRC-32C trailers were computed with a separate bitwise CRC-32C (Python), checked
 * against "123456789" -> E3069283.
 */
class UnstableWireTest {

    /** REQUEST txid 5, epoch 0, [WRITE_UNSTABLE "/a" offset 0 create "hi", COMMIT "/a"], CRC-32C. */
    static final String WRITE_COMMIT_REQUEST = """
            00000037 0003 0001 0000000000000005
            0000000000000000 00000002
            0028 0002 2f61 0000000000000000 01 00000002 6869
            0004 0002 2f61
            278b0d9d""";

    /** REPLY txid 5, [ERROR ABORTED "", ERROR UNSTABLE_LOST "/a"], CRC-32C. */
    static final String LOST_REPLY = """
            00000022 0004 0001 0000000000000005
            00000002 0002 03e9 0000 0002 03f5 0002 2f61
            6d761348""";

    private static ByteBuffer hi() {
        return ByteBuffer.wrap("hi".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anUnstableWriteAndACommitArePinnedByteForByte() {
        Message request = new Message.Request(5, 0, List.of(new Command.Write("/a", 0, hi(), true, true),
                new Command.Commit("/a")));
        assertThat(Frames.hex(Frames.encode(request, ChecksumAlgorithm.CRC32C)))
                .isEqualTo(Frames.hex(Frames.hex(WRITE_COMMIT_REQUEST)));
        assertThat(Frames.decode(Frames.hex(WRITE_COMMIT_REQUEST), ChecksumAlgorithm.CRC32C)).isEqualTo(request);
    }

    @Test
    void unstableLostIsPinnedByteForByte() {
        Message reply = new Message.Reply(5, List.of(new Result.Error(ErrorCode.ABORTED, ""),
                new Result.Error(ErrorCode.UNSTABLE_LOST, "/a")));
        assertThat(Frames.hex(Frames.encode(reply, ChecksumAlgorithm.CRC32C)))
                .isEqualTo(Frames.hex(Frames.hex(LOST_REPLY)));
        assertThat(Frames.decode(Frames.hex(LOST_REPLY), ChecksumAlgorithm.CRC32C)).isEqualTo(reply);
        assertThat(ErrorCode.of(1013)).isEqualTo(ErrorCode.UNSTABLE_LOST);
    }

    @Test
    void aStableWriteKeepsItsOpcodeAndBytes() {
        Command.Write stable = new Command.Write("/a", 0, hi(), true);
        Command.Write unstable = new Command.Write("/a", 0, hi(), true, true);
        assertThat(stable.unstable()).isFalse();
        assertThat(stable.opcode()).isEqualTo(Opcodes.WRITE);
        assertThat(unstable.opcode()).isEqualTo(Opcodes.WRITE_UNSTABLE);
        byte[] a = Frames.encode(new Message.Request(5, 0, List.of(stable)), ChecksumAlgorithm.NONE);
        byte[] b = Frames.encode(new Message.Request(5, 0, List.of(unstable)), ChecksumAlgorithm.NONE);
        // Same frame but for the opcode: length(4) type(2) flags(2) id(8) epoch(8) count(4), then the opcode.
        assertThat(a.length).isEqualTo(b.length);
        assertThat(Frames.hex(a).substring(0, 56)).isEqualTo(Frames.hex(b).substring(0, 56));
        assertThat(Frames.hex(a).substring(56, 60)).isEqualTo("0020");
        assertThat(Frames.hex(b).substring(56, 60)).isEqualTo("0028");
        assertThat(Frames.hex(a).substring(60)).isEqualTo(Frames.hex(b).substring(60));
        assertThat(unstable.stable()).isEqualTo(stable);
        assertThat(Frames.decode(b, ChecksumAlgorithm.NONE)).isEqualTo(new Message.Request(5, 0, List.of(unstable)));
    }
}
