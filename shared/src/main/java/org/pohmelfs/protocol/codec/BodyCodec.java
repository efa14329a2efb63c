package org.pohmelfs.protocol.codec;

import static org.pohmelfs.protocol.codec.Wire.readBoolean;
import static org.pohmelfs.protocol.codec.Wire.readBytes;
import static org.pohmelfs.protocol.codec.Wire.readCount;
import static org.pohmelfs.protocol.codec.Wire.readI32;
import static org.pohmelfs.protocol.codec.Wire.readI64;
import static org.pohmelfs.protocol.codec.Wire.readNonNegative;
import static org.pohmelfs.protocol.codec.Wire.readString;
import static org.pohmelfs.protocol.codec.Wire.readU16;
import static org.pohmelfs.protocol.codec.Wire.readU32;
import static org.pohmelfs.protocol.codec.Wire.readU8;
import static org.pohmelfs.protocol.codec.Wire.writeBoolean;
import static org.pohmelfs.protocol.codec.Wire.writeBytes;
import static org.pohmelfs.protocol.codec.Wire.writeString;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.DavLock;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.FileType;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.NodeInfo;
import org.pohmelfs.protocol.Opcodes;
import org.pohmelfs.protocol.ProtocolException;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.Xattr;

/**
 * Encodes and decodes frame bodies: everything between a frame's header and its checksum
 * trailer. Pure: no channel, no state. docs/protocol.md describes the same layouts in prose.
 */
public final class BodyCodec {
    /** "PHMF": the first four bytes of HELLO and WELCOME bodies. */
    public static final int MAGIC = 0x50484D46;

    private BodyCodec() {
    }

    // ---------------------------------------------------------------- encoding

    public static void encode(Message message, ByteBuf out) {
        switch (message) {
            case Message.Hello h -> {
                out.writeInt(MAGIC);
                out.writeShort(h.minVersion());
                out.writeShort(h.maxVersion());
                writeString(out, h.peerId());
                out.writeLong(h.incarnation());
                writeString(out, h.clusterName());
                out.writeByte(h.checksums().size());
                for (ChecksumAlgorithm c : h.checksums()) {
                    out.writeByte(c.code());
                }
                out.writeInt(h.maxFrame());
                writeBoolean(out, h.tls());
                writeStrings(out, h.features());
            }
            case Message.Welcome w -> {
                out.writeInt(MAGIC);
                out.writeShort(w.version());
                writeString(out, w.nodeId());
                out.writeLong(w.incarnation());
                writeString(out, w.clusterName());
                out.writeByte(w.checksum().code());
                out.writeInt(w.maxFrame());
                out.writeLong(w.epoch());
                writeNodeInfo(out, w.info());
                writeStrings(out, w.features());
            }
            case Message.Request r -> {
                out.writeLong(r.epoch());
                out.writeInt(r.commands().size());
                for (Command c : r.commands()) {
                    encodeCommand(c, out);
                }
            }
            case Message.Reply r -> {
                out.writeInt(r.results().size());
                for (Result res : r.results()) {
                    encodeResult(res, out);
                }
            }
            case Message.Push p -> {
                out.writeShort(p.kind());
                writeString(out, p.path());
                writeString(out, p.text());
            }
            case Message.PushAck a -> encodeResult(a.result(), out);
            case Message.ConnectionError e -> {
                out.writeShort(e.code().code());
                writeString(out, e.message());
            }
        }
    }

    public static void encodeCommand(Command command, ByteBuf out) {
        out.writeShort(command.opcode());
        switch (command) {
            case Command.Ping p -> out.writeLong(p.value());
            case Command.Statfs s -> { }
            case Command.Sync s -> writeString(out, s.path());
            case Command.Commit c -> writeString(out, c.path());
            case Command.Stat s -> writeString(out, s.path());
            case Command.List l -> {
                writeString(out, l.path());
                writeString(out, l.startAfter());
                out.writeInt(l.limit());
            }
            case Command.Read r -> {
                writeString(out, r.path());
                out.writeLong(r.offset());
                out.writeInt(r.length());
            }
            case Command.Checksum c -> {
                writeString(out, c.path());
                out.writeLong(c.offset());
                out.writeLong(c.length());
            }
            case Command.Write w -> {
                writeString(out, w.path());
                out.writeLong(w.offset());
                writeBoolean(out, w.create());
                writeBytes(out, w.data());
            }
            case Command.Create c -> {
                writeString(out, c.path());
                writeBoolean(out, c.exclusive());
                writeBoolean(out, c.parents());
                out.writeInt(c.mode());
            }
            case Command.Mkdir m -> {
                writeString(out, m.path());
                writeBoolean(out, m.parents());
                out.writeInt(m.mode());
            }
            case Command.Delete d -> {
                writeString(out, d.path());
                writeBoolean(out, d.recursive());
            }
            case Command.Rename r -> {
                writeString(out, r.from());
                writeString(out, r.to());
                writeBoolean(out, r.noReplace());
            }
            case Command.Copy c -> {
                writeString(out, c.from());
                writeString(out, c.to());
                writeBoolean(out, c.noReplace());
            }
            case Command.Truncate t -> {
                writeString(out, t.path());
                out.writeLong(t.size());
            }
            case Command.SetAttr s -> {
                writeString(out, s.path());
                out.writeLong(s.mtimeNanos());
                out.writeInt(s.mode());
            }
            case Command.XattrGet x -> {
                writeString(out, x.path());
                writeString(out, x.name());
            }
            case Command.XattrSet x -> {
                writeString(out, x.path());
                writeString(out, x.name());
                writeBytes(out, x.value());
            }
            case Command.XattrList x -> writeString(out, x.path());
            case Command.XattrRemove x -> {
                writeString(out, x.path());
                writeString(out, x.name());
            }
            case Command.Lock l -> {
                writeString(out, l.path());
                writeBoolean(out, l.exclusive());
                writeBoolean(out, l.infinite());
                writeString(out, l.owner());
                writeString(out, l.principal());
                out.writeInt(l.timeoutSeconds());
                writeString(out, l.token());
            }
            case Command.LockRefresh r -> {
                writeString(out, r.path());
                writeString(out, r.token());
                writeString(out, r.principal());
                out.writeInt(r.timeoutSeconds());
            }
            case Command.Unlock u -> {
                writeString(out, u.path());
                writeString(out, u.token());
                writeString(out, u.principal());
            }
            case Command.Locks l -> {
                writeString(out, l.path());
                writeBoolean(out, l.inside());
            }
            case Command.Tokens t -> {
                writeString(out, t.principal());
                out.writeShort(t.tokens().size());
                for (String token : t.tokens()) {
                    writeString(out, token);
                }
            }
            case Command.Acquire a -> {
                writeString(out, a.path());
                out.writeByte(a.exclusive() ? 1 : 0);
                out.writeByte(a.subtree() ? 1 : 0);
            }
            case Command.Release r -> writeString(out, r.path());
            case Command.Renew r -> { }
            case Command.Downgrade d -> writeString(out, d.path());
            case Command.Hold h -> { }
            case Command.Unhold u -> out.writeLong(u.txid());
        }
    }

    public static void encodeResult(Result result, ByteBuf out) {
        out.writeShort(result.opcode());
        switch (result) {
            case Result.Ok ok -> { }
            case Result.Error e -> {
                out.writeShort(e.code().code());
                writeString(out, e.message());
            }
            case Result.Pong p -> out.writeLong(p.value());
            case Result.Attrs a -> writeAttr(out, a.attr());
            case Result.Listing l -> {
                writeAttr(out, l.directory());
                out.writeInt(l.entries().size());
                for (DirEntry e : l.entries()) {
                    writeString(out, e.name());
                    writeAttr(out, e.attr());
                }
                writeBoolean(out, l.more());
            }
            case Result.Data d -> {
                writeAttr(out, d.attr());
                writeBytes(out, d.data());
            }
            case Result.XattrValue v -> writeBytes(out, v.value());
            case Result.Xattrs xs -> {
                out.writeInt(xs.xattrs().size());
                for (Xattr x : xs.xattrs()) {
                    writeString(out, x.name());
                    writeBytes(out, x.value());
                }
            }
            case Result.Statfs s -> writeNodeInfo(out, s.info());
            case Result.Locks l -> {
                out.writeInt(l.locks().size());
                for (DavLock lock : l.locks()) {
                    writeLock(out, lock);
                }
            }
            case Result.Grant g -> {
                out.writeLong(g.leaseId());
                out.writeByte(g.exclusive() ? 1 : 0);
                out.writeByte(g.subtree() ? 1 : 0);
                out.writeLong(g.durationNanos());
                out.writeLong(g.epoch());
                writeBoolean(out, g.attr() != null);
                if (g.attr() != null) {
                    writeAttr(out, g.attr());
                }
            }
            case Result.Renewed r -> {
                out.writeInt(r.count());
                out.writeLong(r.durationNanos());
            }
            case Result.Checksum c -> {
                writeAttr(out, c.attr());
                out.writeBytes(c.sha256().duplicate());
            }
        }
    }

    private static void writeAttr(ByteBuf out, Attr a) {
        out.writeByte(a.type().code());
        out.writeLong(a.size());
        out.writeLong(a.mtimeNanos());
        out.writeInt(a.mode());
        out.writeLong(a.version());
    }

    private static void writeLock(ByteBuf out, DavLock l) {
        writeString(out, l.token());
        writeString(out, l.root());
        writeBoolean(out, l.exclusive());
        writeBoolean(out, l.infinite());
        writeString(out, l.owner());
        writeString(out, l.principal());
        out.writeInt(l.timeoutSeconds());
        out.writeLong(l.expiresAtMillis());
    }

    private static DavLock readLock(ByteBuf in) {
        return new DavLock(readString(in), readString(in), readBoolean(in), readBoolean(in), readString(in),
                readString(in), nonNegativeInt(in, "lock timeout"), readI64(in));
    }

    private static void writeNodeInfo(ByteBuf out, NodeInfo i) {
        out.writeLong(i.capacityBytes());
        out.writeLong(i.usedBytes());
        out.writeLong(i.availableBytes());
        out.writeLong(i.objectCount());
        out.writeLong(i.sizeLimitBytes());
        writeBoolean(out, i.readOnly());
    }

    private static void writeStrings(ByteBuf out, Set<String> strings) {
        out.writeShort(strings.size());
        for (String s : strings.stream().sorted().toList()) {
            writeString(out, s);
        }
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Decodes one body. Throws {@link ProtocolException} for anything malformed, including bytes
     * left over after the message. Every field is copied out of {@code in}.
     */
    public static Message decode(int frameType, long id, ByteBuf in) {
        return decode(frameType, id, in, false);
    }

    /**
     * As {@link #decode(int, long, ByteBuf)}; with {@code dataViews} the data of WRITE commands
     * is a view of {@code in}'s memory instead of a copy, valid only while the caller keeps that
     * memory retained.
     */
    public static Message decode(int frameType, long id, ByteBuf in, boolean dataViews) {
        Message m = switch (frameType) {
            case Opcodes.FRAME_HELLO -> {
                readMagic(in);
                int min = readU16(in);
                int max = readU16(in);
                String peer = readString(in);
                long incarnation = readI64(in);
                String cluster = readString(in);
                int n = readU8(in);
                Wire.need(in, n, "checksum list");
                List<ChecksumAlgorithm> checksums = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ChecksumAlgorithm c = ChecksumAlgorithm.of(readU8(in));
                    if (checksums.contains(c)) {
                        throw new ProtocolException("checksum algorithm " + c + " listed twice");
                    }
                    checksums.add(c);
                }
                int maxFrame = readI32(in);
                boolean tls = readBoolean(in);
                Set<String> features = readStrings(in);
                yield new Message.Hello(min, max, peer, incarnation, cluster, checksums, maxFrame, tls, features);
            }
            case Opcodes.FRAME_WELCOME -> {
                readMagic(in);
                int version = readU16(in);
                String nodeId = readString(in);
                long incarnation = readI64(in);
                String cluster = readString(in);
                ChecksumAlgorithm checksum = ChecksumAlgorithm.of(readU8(in));
                int maxFrame = readI32(in);
                long epoch = readI64(in);
                NodeInfo info = readNodeInfo(in);
                Set<String> features = readStrings(in);
                yield new Message.Welcome(version, nodeId, incarnation, cluster, checksum, maxFrame, epoch, info,
                        features);
            }
            case Opcodes.FRAME_REQUEST -> {
                long epoch = readI64(in);
                int n = readCount(in, 2, "command");
                if (n == 0) {
                    throw new ProtocolException("request without commands");
                }
                List<Command> commands = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    commands.add(decodeCommand(in, dataViews));
                }
                yield new Message.Request(id, epoch, commands);
            }
            case Opcodes.FRAME_REPLY -> {
                int n = readCount(in, 2, "result");
                List<Result> results = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    results.add(decodeResult(in));
                }
                yield new Message.Reply(id, results);
            }
            case Opcodes.FRAME_PUSH -> new Message.Push(id, readU16(in), readString(in), readString(in));
            case Opcodes.FRAME_PUSH_ACK -> new Message.PushAck(id, decodeResult(in));
            case Opcodes.FRAME_ERROR -> new Message.ConnectionError(ErrorCode.of(readU16(in)), readString(in));
            default -> throw new ProtocolException("unknown frame type " + frameType);
        };
        if (in.isReadable()) {
            throw new ProtocolException(in.readableBytes() + " stray bytes after frame body");
        }
        return m;
    }

    public static Command decodeCommand(ByteBuf in) {
        return decodeCommand(in, false);
    }

    /** With {@code dataViews} a WRITE's data is a view of {@code in} (see {@link #decode(int, long, ByteBuf, boolean)}). */
    public static Command decodeCommand(ByteBuf in, boolean dataViews) {
        int opcode = readU16(in);
        return switch (opcode) {
            case Opcodes.PING -> new Command.Ping(readI64(in));
            case Opcodes.STATFS -> new Command.Statfs();
            case Opcodes.SYNC -> new Command.Sync(readString(in));
            case Opcodes.COMMIT -> new Command.Commit(readString(in));
            case Opcodes.STAT -> new Command.Stat(readString(in));
            case Opcodes.LIST -> new Command.List(readString(in), readString(in), nonNegativeInt(in, "limit"));
            case Opcodes.READ -> new Command.Read(readString(in), readNonNegative(in, "offset"),
                    nonNegativeInt(in, "length"));
            case Opcodes.CHECKSUM -> {
                String path = readString(in);
                long offset = readNonNegative(in, "offset");
                long length = readI64(in);
                if (length < Command.Checksum.TO_END) {
                    throw new ProtocolException(ErrorCode.INVALID_ARGUMENT, "checksum length must be -1 (to the end) "
                            + "or at least 0: " + length);
                }
                yield new Command.Checksum(path, offset, length);
            }
            case Opcodes.WRITE, Opcodes.WRITE_UNSTABLE -> {
                String path = readString(in);
                long offset = readNonNegative(in, "offset");
                boolean create = readBoolean(in);
                ByteBuffer data = dataViews ? Wire.readBytesView(in) : readBytes(in);
                yield new Command.Write(path, offset, data, create, opcode == Opcodes.WRITE_UNSTABLE);
            }
            case Opcodes.CREATE -> new Command.Create(readString(in), readBoolean(in), readBoolean(in), readI32(in));
            case Opcodes.MKDIR -> new Command.Mkdir(readString(in), readBoolean(in), readI32(in));
            case Opcodes.DELETE -> new Command.Delete(readString(in), readBoolean(in));
            case Opcodes.RENAME -> new Command.Rename(readString(in), readString(in), readBoolean(in));
            case Opcodes.COPY -> new Command.Copy(readString(in), readString(in), readBoolean(in));
            case Opcodes.TRUNCATE -> new Command.Truncate(readString(in), readNonNegative(in, "size"));
            case Opcodes.SETATTR -> new Command.SetAttr(readString(in), readI64(in), readI32(in));
            case Opcodes.XATTR_GET -> new Command.XattrGet(readString(in), readString(in));
            case Opcodes.XATTR_SET -> new Command.XattrSet(readString(in), readString(in), readBytes(in));
            case Opcodes.XATTR_LIST -> new Command.XattrList(readString(in));
            case Opcodes.XATTR_REMOVE -> new Command.XattrRemove(readString(in), readString(in));
            case Opcodes.LOCK -> new Command.Lock(readString(in), readBoolean(in), readBoolean(in), readString(in),
                    readString(in), nonNegativeInt(in, "lock timeout"), readString(in));
            case Opcodes.LOCK_REFRESH -> new Command.LockRefresh(readString(in), readString(in), readString(in),
                    nonNegativeInt(in, "lock timeout"));
            case Opcodes.UNLOCK -> new Command.Unlock(readString(in), readString(in), readString(in));
            case Opcodes.LOCKS -> new Command.Locks(readString(in), readBoolean(in));
            case Opcodes.TOKENS -> {
                String principal = readString(in);
                int n = readU16(in);
                Wire.need(in, 2L * n, "token list");
                List<String> tokens = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    tokens.add(readString(in));
                }
                yield new Command.Tokens(principal, tokens);
            }
            case Opcodes.ACQUIRE -> new Command.Acquire(readString(in), flag(in, "mode"), flag(in, "scope"));
            case Opcodes.RELEASE -> new Command.Release(readString(in));
            case Opcodes.RENEW -> new Command.Renew();
            case Opcodes.DOWNGRADE -> new Command.Downgrade(readString(in));
            case Opcodes.HOLD -> new Command.Hold();
            case Opcodes.UNHOLD -> new Command.Unhold(readI64(in));
            default -> throw new ProtocolException(ErrorCode.UNSUPPORTED,
                    "unknown command opcode 0x" + Integer.toHexString(opcode));
        };
    }

    public static Result decodeResult(ByteBuf in) {
        int opcode = readU16(in);
        return switch (opcode) {
            case Opcodes.R_OK -> new Result.Ok();
            case Opcodes.R_ERROR -> new Result.Error(ErrorCode.of(readU16(in)), readString(in));
            case Opcodes.R_PONG -> new Result.Pong(readI64(in));
            case Opcodes.R_ATTRS -> new Result.Attrs(readAttr(in));
            case Opcodes.R_LISTING -> {
                Attr dir = readAttr(in);
                int n = readCount(in, 2 + ATTR_BYTES, "listing entry");
                List<DirEntry> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    entries.add(new DirEntry(readString(in), readAttr(in)));
                }
                yield new Result.Listing(dir, entries, readBoolean(in));
            }
            case Opcodes.R_DATA -> new Result.Data(readAttr(in), readBytes(in));
            case Opcodes.R_XATTR_VALUE -> new Result.XattrValue(readBytes(in));
            case Opcodes.R_XATTRS -> {
                int n = readCount(in, 6, "xattr");
                List<Xattr> xattrs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    xattrs.add(new Xattr(readString(in), readBytes(in)));
                }
                yield new Result.Xattrs(xattrs);
            }
            case Opcodes.R_STATFS -> new Result.Statfs(readNodeInfo(in));
            case Opcodes.R_LOCKS -> {
                int n = readCount(in, 2 + 2 + 1 + 1 + 2 + 2 + 4 + 8, "lock");
                List<DavLock> locks = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    locks.add(readLock(in));
                }
                yield new Result.Locks(locks);
            }
            case Opcodes.R_GRANT -> {
                long leaseId = readI64(in);
                boolean exclusive = flag(in, "mode");
                boolean subtree = flag(in, "scope");
                long duration = readNonNegative(in, "lease duration");
                long epoch = readI64(in);
                yield new Result.Grant(leaseId, exclusive, subtree, duration, epoch, readBoolean(in) ? readAttr(in) : null);
            }
            case Opcodes.R_RENEWED -> new Result.Renewed(nonNegativeInt(in, "renewed count"),
                    readNonNegative(in, "lease duration"));
            case Opcodes.R_CHECKSUM -> {
                Attr attr = readAttr(in);
                Wire.need(in, Result.Checksum.SHA256_BYTES, "SHA-256");
                java.nio.ByteBuffer sum = java.nio.ByteBuffer.allocate(Result.Checksum.SHA256_BYTES);
                in.readBytes(sum);
                yield new Result.Checksum(attr, sum.flip());
            }
            default -> throw new ProtocolException("unknown result opcode 0x" + Integer.toHexString(opcode));
        };
    }

    private static final int ATTR_BYTES = 1 + 8 + 8 + 4 + 8;

    private static Attr readAttr(ByteBuf in) {
        FileType type = FileType.of(readU8(in));
        return new Attr(type, readI64(in), readI64(in), readI32(in), readI64(in));
    }

    private static NodeInfo readNodeInfo(ByteBuf in) {
        return new NodeInfo(readI64(in), readI64(in), readI64(in), readI64(in), readI64(in), readBoolean(in));
    }

    private static Set<String> readStrings(ByteBuf in) {
        int n = readU16(in);
        Wire.need(in, 2L * n, "string set");
        Set<String> set = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            set.add(readString(in));
        }
        return set;
    }

    private static int nonNegativeInt(ByteBuf in, String what) {
        int v = readI32(in);
        if (v < 0) {
            throw new ProtocolException(what + " is negative");
        }
        return v;
    }

    /** A u8 that must be 0 or 1: a lease mode (shared, exclusive) or scope (object, subtree). */
    private static boolean flag(ByteBuf in, String what) {
        int v = readU8(in);
        if (v > 1) {
            throw new ProtocolException("unknown lease " + what + " " + v);
        }
        return v == 1;
    }

    private static void readMagic(ByteBuf in) {
        long magic = readU32(in);
        if (magic != (MAGIC & 0xFFFFFFFFL)) {
            throw new ProtocolException(ErrorCode.HANDSHAKE_REFUSED,
                    "not a POHMELFS peer (bad magic 0x" + Long.toHexString(magic) + ")");
        }
    }

}
