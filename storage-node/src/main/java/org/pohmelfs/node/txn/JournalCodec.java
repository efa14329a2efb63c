package org.pohmelfs.node.txn;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.pohmelfs.node.store.UndoRecord;

/**
 * Byte layout of one journal record's payload (big-endian, strings as length-prefixed UTF-8,
 * byte arrays as i32 length, -1 for null):
 * <pre>
 *   Begin: u8 1 | i64 seq | str peerId | i64 incarnation | i64 txid
 *   Undo:  u8 2 | i64 seq | u8 kind | fields of the {@link UndoRecord} in declaration order
 *   End:   u8 3 | i64 seq | bool committed | str peerId | i64 incarnation | i64 txid | bytes reply
 * </pre>
 */
final class JournalCodec {
    private static final int BEGIN = 1;
    private static final int UNDO = 2;
    private static final int END = 3;

    private JournalCodec() {
    }

    static byte[] encode(JournalRecord r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            switch (r) {
                case JournalRecord.Begin b -> {
                    out.writeByte(BEGIN);
                    out.writeLong(b.seq());
                    writeKey(out, b.key());
                }
                case JournalRecord.Undo u -> {
                    out.writeByte(UNDO);
                    out.writeLong(u.seq());
                    writeUndo(out, u.undo());
                }
                case JournalRecord.End e -> {
                    out.writeByte(END);
                    out.writeLong(e.seq());
                    out.writeBoolean(e.committed());
                    writeKey(out, e.key());
                    writeBytes(out, e.reply());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static JournalRecord decode(DataInputStream in) throws IOException {
        int type = in.readUnsignedByte();
        long seq = in.readLong();
        return switch (type) {
            case BEGIN -> new JournalRecord.Begin(seq, readKey(in));
            case UNDO -> new JournalRecord.Undo(seq, readUndo(in));
            case END -> {
                boolean committed = in.readBoolean();
                yield new JournalRecord.End(seq, committed, readKey(in), readBytes(in));
            }
            default -> throw new IOException("unknown journal record type " + type);
        };
    }

    private static void writeUndo(DataOutputStream out, UndoRecord u) throws IOException {
        switch (u) {
            case UndoRecord.Created c -> {
                out.writeByte(1);
                out.writeUTF(c.path());
            }
            case UndoRecord.Moved m -> {
                out.writeByte(2);
                out.writeUTF(m.from());
                out.writeUTF(m.to());
            }
            case UndoRecord.Bytes b -> {
                out.writeByte(3);
                out.writeUTF(b.path());
                out.writeLong(b.offset());
                writeBytes(out, b.old());
                out.writeBoolean(b.sideFile() != null);
                out.writeUTF(b.sideFile() == null ? "" : b.sideFile());
                out.writeLong(b.oldSize());
            }
            case UndoRecord.Xattr x -> {
                out.writeByte(4);
                out.writeUTF(x.path());
                out.writeUTF(x.name());
                writeBytes(out, x.old());
            }
            case UndoRecord.Meta m -> {
                out.writeByte(5);
                out.writeUTF(m.path());
                out.writeLong(m.mtimeNanos());
                out.writeInt(m.mode());
            }
        }
    }

    private static UndoRecord readUndo(DataInputStream in) throws IOException {
        int kind = in.readUnsignedByte();
        return switch (kind) {
            case 1 -> new UndoRecord.Created(in.readUTF());
            case 2 -> new UndoRecord.Moved(in.readUTF(), in.readUTF());
            case 3 -> {
                String path = in.readUTF();
                long offset = in.readLong();
                byte[] old = readBytes(in);
                boolean hasSide = in.readBoolean();
                String side = in.readUTF();
                yield new UndoRecord.Bytes(path, offset, old, hasSide ? side : null, in.readLong());
            }
            case 4 -> new UndoRecord.Xattr(in.readUTF(), in.readUTF(), readBytes(in));
            case 5 -> new UndoRecord.Meta(in.readUTF(), in.readLong(), in.readInt());
            default -> throw new IOException("unknown undo record kind " + kind);
        };
    }

    private static void writeKey(DataOutputStream out, ReplyKey k) throws IOException {
        out.writeUTF(k.peerId());
        out.writeLong(k.incarnation());
        out.writeLong(k.txid());
    }

    private static ReplyKey readKey(DataInputStream in) throws IOException {
        return new ReplyKey(in.readUTF(), in.readLong(), in.readLong());
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < -1) {
            throw new IOException("negative length " + n);
        }
        return n == -1 ? null : in.readNBytes(n);
    }
}
