package org.pohmelfs.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.util.ArrayList;
import java.util.List;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Opcodes;
import org.pohmelfs.protocol.Result;

/**
 * Writes one {@link Message} as one frame (layout in {@link FrameDecoder}). Handshake frames
 * and connection errors sent before the handshake completes carry CRC-32C; all others the
 * negotiated checksum. A WELCOME switches the connection to the negotiated algorithm right
 * after it is written.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToByteEncoder<Message> {
    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private FrameEncoder() {
        super(Message.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Message msg, ByteBuf out) {
        FrameChecksum state = FrameChecksum.of(ctx.channel());
        ChecksumAlgorithm algorithm = state.current();
        int start = out.writerIndex();
        encode(msg, algorithm, out);
        if (out.writerIndex() - start - 4 > state.maxFrame() && msg instanceof Message.Reply reply) {
            // The peer would refuse this frame and close the connection: answer TOO_LARGE instead.
            out.writerIndex(start);
            encode(tooLarge(reply), algorithm, out);
        }
        if (msg instanceof Message.Welcome w) {
            state.negotiate(w.checksum());
            state.maxFrame(w.maxFrame());
        }
    }

    private static Message.Reply tooLarge(Message.Reply reply) {
        List<Result> errors = new ArrayList<>();
        for (int i = 0; i < reply.results().size(); i++) {
            errors.add(new Result.Error(ErrorCode.TOO_LARGE,
                    "the reply exceeds the negotiated frame limit; ask for less (smaller reads, shorter pages)"));
        }
        return new Message.Reply(reply.txid(), errors);
    }

    /**
     * Sizes the output buffer for the whole frame up front: a frame carrying file data (a
     * 1 MiB WRITE or DATA) would otherwise grow from the default 256 bytes by doubling, copying
     * what was written at each step.
     */
    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Message msg, boolean preferDirect) {
        int size = (int) Math.min(Integer.MAX_VALUE - 16, 256L + payloadBytes(msg));
        // Not from the pool (LargeBuffers): a frame is freed as soon as the socket took it, so
        // with few frames in flight the pool's chunks empty, are freed and are allocated (zeroed)
        // again, which profiled worse than the channel's allocator (docs/benchmarks-node.md).
        return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
    }

    /** The file data and xattr values a message carries (the bulk of a large frame). */
    static long payloadBytes(Message msg) {
        long n = 0;
        switch (msg) {
            case Message.Request r -> {
                for (Command c : r.commands()) {
                    n += 64 + switch (c) {
                        case Command.Write w -> w.data().remaining();
                        case Command.XattrSet x -> x.value().remaining();
                        default -> 0;
                    };
                }
            }
            case Message.Reply r -> {
                for (Result res : r.results()) {
                    n += 64 + switch (res) {
                        case Result.Data d -> d.data().remaining();
                        case Result.XattrValue v -> v.value().remaining();
                        default -> 0;
                    };
                }
            }
            default -> {
            }
        }
        return n;
    }

    /** Encodes a whole frame; public for tests, benchmarks and tools. */
    public static void encode(Message msg, ChecksumAlgorithm algorithm, ByteBuf out) {
        int start = out.writerIndex();
        out.writeInt(0); // length, patched below
        out.writeShort(msg.frameType());
        out.writeShort(algorithm.code());
        out.writeLong(msg.id());
        BodyCodec.encode(msg, out);
        int covered = out.writerIndex() - start - 4;
        Checksums.writeTrailer(algorithm, out, start + 4, covered);
        out.setInt(start, out.writerIndex() - start - 4);
    }

    /** The frame type of a message, for logs. */
    static String name(int frameType) {
        return switch (frameType) {
            case Opcodes.FRAME_HELLO -> "HELLO";
            case Opcodes.FRAME_WELCOME -> "WELCOME";
            case Opcodes.FRAME_REQUEST -> "REQUEST";
            case Opcodes.FRAME_REPLY -> "REPLY";
            case Opcodes.FRAME_PUSH -> "PUSH";
            case Opcodes.FRAME_PUSH_ACK -> "PUSH_ACK";
            case Opcodes.FRAME_ERROR -> "ERROR";
            default -> "type " + frameType;
        };
    }
}
