package org.pohmelfs.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Message;

/**
 * A decoded REQUEST whose WRITE commands' data are views of the frame they arrived in, not
 * copies (what a {@link FrameDecoder} built for a server emits for a request carrying file data).
 * It holds one reference to the frame's memory: the receiver must {@link #release()} it exactly
 * once, after the last use of the request's data, and must not keep the data past that.
 *
 * <p>Why: a 1 MiB WRITE would otherwise be copied out of the frame into a fresh heap array, and
 * that array again into the JDK's temporary direct buffer when it is written to a file. A view of
 * the (direct) frame is written to the file as it is.
 */
public final class RetainedRequest extends DefaultByteBufHolder {
    private final Message.Request request;

    RetainedRequest(Message.Request request, ByteBuf frame) {
        super(frame);
        this.request = request;
    }

    /** The request; its WRITE data are valid until this holder is released. */
    public Message.Request request() {
        return request;
    }

    /** Whether a request carries file data worth keeping in its frame rather than copying. */
    static boolean carriesData(Message.Request request) {
        for (Command c : request.commands()) {
            if (c instanceof Command.Write w && w.data().hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public RetainedRequest replace(ByteBuf content) {
        return new RetainedRequest(request, content);
    }

    @Override
    public String toString() {
        return "RetainedRequest(txid " + request.txid() + ", " + request.commands().size() + " commands)";
    }
}
