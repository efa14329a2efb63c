package org.pohmelfs.protocol.codec;

import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.ChecksumAlgorithm;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.FileType;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.NodeInfo;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.Xattr;

/**
 * jqwik generators for every {@link Message}, {@link Command} and {@link Result} variant, with
 * values anywhere in the range the wire can carry: non-ASCII and supplementary characters,
 * empty and offset byte buffers, every enum constant, nested lists.
 */
final class MessageArbitraries {
    private MessageArbitraries() {
    }

    static Arbitrary<Message> messages() {
        return Arbitraries.oneOf(List.of(hello(), welcome(), request(), reply(), push(), pushAck(),
                connectionError()));
    }

    /**
     * Strings of valid Unicode scalar values (no unpaired surrogates: UTF-8 cannot carry them),
     * mostly ASCII, often Latin/Cyrillic/CJK, sometimes supplementary (emoji, 4-byte UTF-8).
     */
    static Arbitrary<String> strings() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0x20, 0x7E)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 0x1F)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x80, 0x7FF)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x800, 0xFFFF)
                        .filter(cp -> cp < 0xD800 || cp > 0xDFFF)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)));
        return codePoint.list().ofMaxSize(24).map(cps -> {
            StringBuilder sb = new StringBuilder();
            cps.forEach(sb::appendCodePoint);
            return sb.toString();
        });
    }

    /** Byte buffers, empty ones included, sometimes a window into a larger array. */
    static Arbitrary<ByteBuffer> buffers() {
        Arbitrary<byte[]> arrays = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Combinators.combine(arrays, Arbitraries.integers().between(0, 7), Arbitraries.integers().between(0, 7))
                .as((bytes, head, tail) -> {
                    int from = Math.min(head, bytes.length);
                    int to = Math.max(from, bytes.length - tail);
                    return ByteBuffer.wrap(bytes, from, to - from);
                });
    }

    static Arbitrary<Integer> u16() {
        return Arbitraries.integers().between(0, 0xFFFF);
    }

    static Arbitrary<Long> longs() {
        return Arbitraries.longs(); // edge cases include 0, ±1, MIN_VALUE and MAX_VALUE
    }

    static Arbitrary<Long> nonNegativeLongs() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE);
    }

    static Arbitrary<Integer> nonNegativeInts() {
        return Arbitraries.integers().between(0, Integer.MAX_VALUE);
    }

    static Arbitrary<Attr> attrs() {
        return Combinators.combine(Arbitraries.of(FileType.class), longs(), longs(), Arbitraries.integers(), longs())
                .as(Attr::new);
    }

    static Arbitrary<NodeInfo> nodeInfos() {
        return Combinators.combine(longs(), longs(), longs(), longs(), longs(), Arbitraries.of(true, false))
                .as(NodeInfo::new);
    }

    static Arbitrary<Message.Hello> hello() {
        var head = Combinators.combine(u16(), u16(), strings(), longs(), strings()).as(HelloHead::new);
        return Combinators.combine(head,
                        Arbitraries.of(ChecksumAlgorithm.class).list().uniqueElements().ofMaxSize(3),
                        Arbitraries.integers(), Arbitraries.of(true, false), strings().set().ofMaxSize(5))
                .as((h, checksums, maxFrame, tls, features) -> new Message.Hello(h.min, h.max, h.peer,
                        h.incarnation, h.cluster, checksums, maxFrame, tls, features));
    }

    private record HelloHead(int min, int max, String peer, long incarnation, String cluster) {
    }

    static Arbitrary<Message.Welcome> welcome() {
        var head = Combinators.combine(u16(), strings(), longs(), strings()).as(WelcomeHead::new);
        return Combinators.combine(head, Arbitraries.of(ChecksumAlgorithm.class), Arbitraries.integers(), longs(),
                        nodeInfos(), strings().set().ofMaxSize(5))
                .as((h, checksum, maxFrame, epoch, info, features) -> new Message.Welcome(h.version, h.nodeId,
                        h.incarnation, h.cluster, checksum, maxFrame, epoch, info, features));
    }

    private record WelcomeHead(int version, String nodeId, long incarnation, String cluster) {
    }

    static Arbitrary<Message.Request> request() {
        return Combinators.combine(longs(), longs(), commands().list().ofMinSize(1).ofMaxSize(6))
                .as(Message.Request::new);
    }

    static Arbitrary<Message.Reply> reply() {
        return Combinators.combine(longs(), results().list().ofMaxSize(6)).as(Message.Reply::new);
    }

    static Arbitrary<Message.Push> push() {
        return Combinators.combine(longs(), u16(), strings(), strings()).as(Message.Push::new);
    }

    static Arbitrary<Message.PushAck> pushAck() {
        return Combinators.combine(longs(), results()).as(Message.PushAck::new);
    }

    static Arbitrary<Message.ConnectionError> connectionError() {
        return Combinators.combine(Arbitraries.of(ErrorCode.class), strings()).as(Message.ConnectionError::new);
    }

    static Arbitrary<Command> commands() {
        var s = strings();
        var bool = Arbitraries.of(true, false);
        return Arbitraries.oneOf(List.of(
                longs().map(Command.Ping::new),
                Arbitraries.just(new Command.Statfs()),
                s.map(Command.Sync::new),
                s.map(Command.Commit::new),
                s.map(Command.Stat::new),
                Combinators.combine(s, s, nonNegativeInts()).as(Command.List::new),
                Combinators.combine(s, nonNegativeLongs(), nonNegativeInts()).as(Command.Read::new),
                Combinators.combine(s, nonNegativeLongs(), Arbitraries.longs().greaterOrEqual(Command.Checksum.TO_END))
                        .as(Command.Checksum::new),
                Combinators.combine(s, nonNegativeLongs(), buffers(), bool, bool).as(Command.Write::new),
                Combinators.combine(s, bool, bool, Arbitraries.integers()).as(Command.Create::new),
                Combinators.combine(s, bool, Arbitraries.integers()).as(Command.Mkdir::new),
                Combinators.combine(s, bool).as(Command.Delete::new),
                Combinators.combine(s, s, bool).as(Command.Rename::new),
                Combinators.combine(s, s, bool).as(Command.Copy::new),
                Combinators.combine(s, nonNegativeLongs()).as(Command.Truncate::new),
                Combinators.combine(s, longs(), Arbitraries.integers()).as(Command.SetAttr::new),
                Combinators.combine(s, s).as(Command.XattrGet::new),
                Combinators.combine(s, s, buffers()).as(Command.XattrSet::new),
                s.map(Command.XattrList::new),
                Combinators.combine(s, s).as(Command.XattrRemove::new),
                Combinators.combine(s, bool, bool, s, s, nonNegativeInts(), s).as(Command.Lock::new),
                Combinators.combine(s, s, s, nonNegativeInts()).as(Command.LockRefresh::new),
                Combinators.combine(s, s, s).as(Command.Unlock::new),
                Combinators.combine(s, bool).as(Command.Locks::new),
                Combinators.combine(s, s.list().ofMaxSize(5)).as(Command.Tokens::new),
                Combinators.combine(s, bool, bool).as(Command.Acquire::new),
                s.map(Command.Release::new),
                Arbitraries.just(new Command.Renew()),
                s.map(Command.Downgrade::new),
                Arbitraries.just(new Command.Hold()),
                longs().map(Command.Unhold::new)));
    }

    static Arbitrary<Result> results() {
        return Arbitraries.oneOf(List.of(
                Arbitraries.just(new Result.Ok()),
                Combinators.combine(Arbitraries.of(ErrorCode.class), strings()).as(Result.Error::new),
                longs().map(Result.Pong::new),
                attrs().map(Result.Attrs::new),
                Combinators.combine(attrs(),
                        Combinators.combine(strings(), attrs()).as(DirEntry::new).list().ofMaxSize(8),
                        Arbitraries.of(true, false)).as(Result.Listing::new),
                Combinators.combine(attrs(), buffers()).as(Result.Data::new),
                buffers().map(Result.XattrValue::new),
                Combinators.combine(strings(), buffers()).as(Xattr::new).list().ofMaxSize(6).map(Result.Xattrs::new),
                nodeInfos().map(Result.Statfs::new),
                Combinators.combine(longs(), Arbitraries.of(true, false), Arbitraries.of(true, false),
                        nonNegativeLongs(), longs(), attrs().injectNull(0.3)).as(Result.Grant::new),
                Combinators.combine(nonNegativeInts(), nonNegativeLongs()).as(Result.Renewed::new),
                Combinators.combine(attrs(), Arbitraries.bytes().array(byte[].class).ofSize(Result.Checksum.SHA256_BYTES))
                        .as((a, sum) -> new Result.Checksum(a, ByteBuffer.wrap(sum))),
                davLocks().list().ofMaxSize(4).map(Result.Locks::new)));
    }

    static Arbitrary<org.pohmelfs.protocol.DavLock> davLocks() {
        var s = strings();
        var bool = Arbitraries.of(true, false);
        return Combinators.combine(s, s, bool, bool, s, s, nonNegativeInts(), longs())
                .as(org.pohmelfs.protocol.DavLock::new);
    }
}
