package org.pohmelfs.protocol.codec;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.pohmelfs.protocol.ProtocolException;

/**
 * Primitive encodings shared by every message: big-endian integers, length-prefixed UTF-8
 * strings and byte strings, booleans. Readers check every length against what the frame
 * actually holds before allocating, so a lying length costs nothing.
 */
final class Wire {
    /** Longest string field, in UTF-8 bytes (a u16 length). */
    static final int MAX_STRING = 0xFFFF;

    private Wire() {
    }

    static void writeString(ByteBuf out, String s) {
        int lengthIndex = out.writerIndex();
        out.writeShort(0);
        int written = out.writeCharSequence(s, StandardCharsets.UTF_8);
        if (written > MAX_STRING) {
            throw new IllegalArgumentException("string field longer than " + MAX_STRING + " bytes");
        }
        out.setShort(lengthIndex, written);
    }

    static String readString(ByteBuf in) {
        int length = readU16(in);
        need(in, length, "string");
        ByteBuffer bytes = in.nioBuffer(in.readerIndex(), length);
        in.skipBytes(length);
        try {
            // A strict decoder: malformed and overlong UTF-8 is refused, not replaced.
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("string is not valid UTF-8");
        }
    }

    static void writeBytes(ByteBuf out, ByteBuffer bytes) {
        out.writeInt(bytes.remaining());
        out.writeBytes(bytes.duplicate());
    }

    static ByteBuffer readBytes(ByteBuf in) {
        long length = readU32(in);
        need(in, length, "byte string");
        byte[] data = new byte[(int) length];
        in.readBytes(data);
        return ByteBuffer.wrap(data);
    }

    /**
     * A byte string as a view of {@code in}'s own memory, not a copy: valid only while that
     * memory is retained (see {@link RetainedRequest}). A direct frame gives a direct view, which
     * a {@code FileChannel} writes without the JDK's temporary copy.
     */
    static ByteBuffer readBytesView(ByteBuf in) {
        long length = readU32(in);
        need(in, length, "byte string");
        ByteBuffer view = in.nioBuffer(in.readerIndex(), (int) length);
        in.skipBytes((int) length);
        return view;
    }

    static void writeBoolean(ByteBuf out, boolean b) {
        out.writeByte(b ? 1 : 0);
    }

    static boolean readBoolean(ByteBuf in) {
        int b = readU8(in);
        return switch (b) {
            case 0 -> false;
            case 1 -> true;
            default -> throw new ProtocolException("boolean field holds " + b);
        };
    }

    static int readU8(ByteBuf in) {
        need(in, 1, "u8");
        return in.readUnsignedByte();
    }

    static int readU16(ByteBuf in) {
        need(in, 2, "u16");
        return in.readUnsignedShort();
    }

    static int readI32(ByteBuf in) {
        need(in, 4, "i32");
        return in.readInt();
    }

    static long readU32(ByteBuf in) {
        need(in, 4, "u32");
        return in.readUnsignedInt();
    }

    static long readI64(ByteBuf in) {
        need(in, 8, "i64");
        return in.readLong();
    }

    /** A count of elements that each take at least {@code minElementBytes} of what is left. */
    static int readCount(ByteBuf in, int minElementBytes, String what) {
        long count = readU32(in);
        if (count * minElementBytes > in.readableBytes()) {
            throw new ProtocolException(what + " count " + count + " exceeds the frame");
        }
        return (int) count;
    }

    static long readNonNegative(ByteBuf in, String what) {
        long v = readI64(in);
        if (v < 0) {
            throw new ProtocolException(what + " is negative");
        }
        return v;
    }

    static void need(ByteBuf in, long bytes, String what) {
        if (bytes > in.readableBytes()) {
            throw new ProtocolException("truncated " + what + ": needs " + bytes + " bytes, frame has "
                    + in.readableBytes());
        }
    }
}
