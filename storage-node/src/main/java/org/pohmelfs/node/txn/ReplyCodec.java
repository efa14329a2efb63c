package org.pohmelfs.node.txn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.codec.BodyCodec;

/**
 * Serialises a reply's results with the wire codec ({@link BodyCodec#encodeResult}), so the
 * journal keeps exactly the bytes a resend must be answered with. The Netty buffer is a local
 * detail: it never leaves this class and is released in {@code finally}.
 */
final class ReplyCodec {
    private ReplyCodec() {
    }

    static byte[] encode(List<Result> results) {
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeInt(results.size());
            for (Result r : results) {
                BodyCodec.encodeResult(r, buf);
            }
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } finally {
            buf.release();
        }
    }

    static Message.Reply decode(long txid, byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            int n = buf.readInt();
            List<Result> results = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                results.add(BodyCodec.decodeResult(buf));
            }
            return new Message.Reply(txid, results);
        } finally {
            buf.release();
        }
    }
}
