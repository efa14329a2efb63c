package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pohmelfs.node.txn.Fixture.bytes;
import static org.pohmelfs.node.txn.Fixture.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.FileType;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.Xattr;

/** Happy paths and error cases of every command, one command per transaction. */
class CommandsTest {
    @TempDir
    Path export;
    TransactionManager tm;
    Fixture fx;

    @BeforeEach
    void open() throws IOException {
        tm = TransactionManager.open(StoreSettings.defaults(export).withFsync(false));
        fx = new Fixture(tm);
    }

    @AfterEach
    void close() {
        tm.close();
    }

    @Test
    void pingStatfsSync() {
        assertThat(fx.ok(new Command.Ping(42))).containsExactly(new Result.Pong(42));
        fx.ok(write("/a", 0, "hello"));
        Result.Statfs s = (Result.Statfs) fx.ok(new Command.Statfs()).getFirst();
        assertThat(s.info().usedBytes()).isEqualTo(5);
        assertThat(s.info().objectCount()).isEqualTo(1);
        assertThat(s.info().readOnly()).isFalse();
        fx.ok(new Command.Sync("/"), new Command.Sync("/a"));
        assertThat(fx.err(new Command.Sync("/missing"))).isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    void writeReadStat() throws IOException {
        Attr a = fx.attrs(write("/f", 0, "hello world"));
        assertThat(a.type()).isEqualTo(FileType.FILE);
        assertThat(a.size()).isEqualTo(11);
        assertThat(Files.readString(export.resolve("f"))).isEqualTo("hello world");
        fx.ok(write("/f", 6, "WORLD!"));
        assertThat(fx.read("/f")).isEqualTo("hello WORLD!");
        Result.Data d = (Result.Data) fx.ok(new Command.Read("/f", 6, 100)).getFirst();
        assertThat(Fixture.text(d.data())).isEqualTo("WORLD!");
        assertThat(d.attr()).isEqualTo(fx.stat("/f"));
        Result.Data past = (Result.Data) fx.ok(new Command.Read("/f", 100, 10)).getFirst();
        assertThat(past.data().remaining()).isZero();
        fx.ok(write("/f", 14, "x"));
        assertThat(Files.readAllBytes(export.resolve("f"))).hasSize(15).contains(0, org.assertj.core.data.Index.atIndex(12));
    }

    @Test
    void writeErrors() {
        assertThat(fx.err(new Command.Write("/nope", 0, bytes("x"), false))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(fx.err(write("/no/such/dir", 0, "x"))).isEqualTo(ErrorCode.NOT_FOUND);
        fx.ok(new Command.Mkdir("/d", false, 0));
        assertThat(fx.err(write("/d", 0, "x"))).isEqualTo(ErrorCode.IS_DIRECTORY);
        fx.ok(write("/file", 0, "x"));
        assertThat(fx.err(write("/file/child", 0, "x"))).isEqualTo(ErrorCode.NOT_DIRECTORY);
        assertThat(fx.err(write("/file", -1, "x"))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(fx.err(new Command.Read("/d", 0, 1))).isEqualTo(ErrorCode.IS_DIRECTORY);
        assertThat(fx.err(new Command.Read("/file", -1, 1))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(fx.err(new Command.Stat("/missing"))).isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    void create() throws IOException {
        Attr a = fx.attrs(new Command.Create("/x/y/f", true, true, 0600));
        assertThat(a.size()).isZero();
        assertThat(a.mode()).isEqualTo(0600);
        assertThat(fx.stat("/x/y").isDirectory()).isTrue();
        assertThat(fx.err(new Command.Create("/x/y/f", true, false, 0))).isEqualTo(ErrorCode.EXISTS);
        fx.ok(write("/x/y/f", 0, "content"));
        assertThat(fx.attrs(new Command.Create("/x/y/f", false, false, 0)).size()).isZero();
        assertThat(Files.size(export.resolve("x/y/f"))).isZero();
        assertThat(fx.err(new Command.Create("/m/n", true, false, 0))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(fx.err(new Command.Create("/x", false, false, 0))).isEqualTo(ErrorCode.IS_DIRECTORY);
        assertThat(fx.err(new Command.Create("/x/y/f/g", false, true, 0))).isEqualTo(ErrorCode.NOT_DIRECTORY);
    }

    @Test
    void mkdir() {
        assertThat(fx.attrs(new Command.Mkdir("/a", false, 0750)).mode()).isEqualTo(0750);
        assertThat(fx.err(new Command.Mkdir("/a", false, 0))).isEqualTo(ErrorCode.EXISTS);
        fx.ok(new Command.Mkdir("/a", true, 0));
        assertThat(fx.err(new Command.Mkdir("/b/c", false, 0))).isEqualTo(ErrorCode.NOT_FOUND);
        Attr c = fx.attrs(new Command.Mkdir("/b/c/d", true, 0));
        assertThat(c.isDirectory()).isTrue();
        assertThat(c.size()).isZero();
        fx.ok(write("/file", 0, "x"));
        assertThat(fx.err(new Command.Mkdir("/file", true, 0))).isEqualTo(ErrorCode.EXISTS);
        assertThat(fx.err(new Command.Mkdir("/file/sub", true, 0))).isEqualTo(ErrorCode.NOT_DIRECTORY);
    }

    @Test
    void delete() {
        fx.ok(write("/f", 0, "x"), new Command.Mkdir("/d/e/f", true, 0), write("/d/e/f/g", 0, "y"));
        fx.ok(new Command.Delete("/f", false));
        assertThat(fx.err(new Command.Stat("/f"))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(fx.err(new Command.Delete("/f", false))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(fx.err(new Command.Delete("/d", false))).isEqualTo(ErrorCode.NOT_EMPTY);
        fx.ok(new Command.Delete("/d", true));
        assertThat(fx.err(new Command.Stat("/d"))).isEqualTo(ErrorCode.NOT_FOUND);
        fx.ok(new Command.Mkdir("/empty", false, 0));
        fx.ok(new Command.Delete("/empty", false));
        assertThat(fx.err(new Command.Delete("/", true))).isEqualTo(ErrorCode.NOT_PERMITTED);
        tm.awaitBackgroundWork();
        assertThat(tm.info().objectCount()).isZero();
        assertThat(tm.info().usedBytes()).isZero();
    }

    @Test
    void rename() throws IOException {
        fx.ok(write("/a", 0, "A"), write("/b", 0, "B"), new Command.Mkdir("/d", false, 0));
        assertThat(fx.err(new Command.Rename("/a", "/b", true))).isEqualTo(ErrorCode.EXISTS);
        fx.ok(new Command.Rename("/a", "/b", false));
        assertThat(fx.read("/b")).isEqualTo("A");
        assertThat(fx.err(new Command.Stat("/a"))).isEqualTo(ErrorCode.NOT_FOUND);
        fx.ok(new Command.Rename("/b", "/d/c", true));
        assertThat(Files.readString(export.resolve("d/c"))).isEqualTo("A");
        assertThat(fx.err(new Command.Rename("/d", "/d/sub", false))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        fx.ok(new Command.Mkdir("/e", false, 0), new Command.Mkdir("/full", false, 0), write("/full/x", 0, "x"));
        assertThat(fx.err(new Command.Rename("/e", "/full", false))).isEqualTo(ErrorCode.NOT_EMPTY);
        assertThat(fx.err(new Command.Rename("/e", "/d/c", false))).isEqualTo(ErrorCode.NOT_DIRECTORY);
        assertThat(fx.err(new Command.Rename("/d/c", "/e", false))).isEqualTo(ErrorCode.IS_DIRECTORY);
        assertThat(fx.err(new Command.Rename("/missing", "/z", false))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(fx.err(new Command.Rename("/d/c", "/no/z", false))).isEqualTo(ErrorCode.NOT_FOUND);
        fx.ok(new Command.Mkdir("/e2", false, 0));
        fx.ok(new Command.Rename("/d", "/e2", false));
        assertThat(fx.read("/e2/c")).isEqualTo("A");
    }

    @Test
    void copyTreeWithXattrs() {
        fx.ok(new Command.Mkdir("/src/sub", true, 0), write("/src/sub/f", 0, "data"),
                new Command.XattrSet("/src/sub/f", "color", bytes("red")));
        Attr copy = fx.attrs(new Command.Copy("/src", "/dst", true));
        assertThat(copy.isDirectory()).isTrue();
        assertThat(fx.read("/dst/sub/f")).isEqualTo("data");
        assertThat(Fixture.text(((Result.XattrValue) fx.ok(new Command.XattrGet("/dst/sub/f", "color")).getFirst()).value()))
                .isEqualTo("red");
        assertThat(fx.err(new Command.Copy("/src", "/dst", true))).isEqualTo(ErrorCode.EXISTS);
        assertThat(fx.err(new Command.Copy("/src", "/src/sub/x", false))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        fx.ok(write("/one", 0, "1"), write("/two", 0, "2"));
        fx.ok(new Command.Copy("/one", "/two", false));
        assertThat(fx.read("/two")).isEqualTo("1");
        assertThat(fx.read("/one")).isEqualTo("1");
        assertThat(fx.err(new Command.Copy("/missing", "/x", false))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(tm.info().objectCount()).isGreaterThanOrEqualTo(6);
    }

    @Test
    void truncate() throws IOException {
        fx.ok(write("/f", 0, "0123456789"));
        assertThat(fx.attrs(new Command.Truncate("/f", 4)).size()).isEqualTo(4);
        assertThat(Files.readString(export.resolve("f"))).isEqualTo("0123");
        assertThat(fx.attrs(new Command.Truncate("/f", 8)).size()).isEqualTo(8);
        assertThat(Files.readAllBytes(export.resolve("f"))).containsExactly('0', '1', '2', '3', 0, 0, 0, 0);
        assertThat(fx.err(new Command.Truncate("/f", -1))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(fx.err(new Command.Truncate("/nope", 1))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(fx.err(new Command.Truncate("/", 1))).isEqualTo(ErrorCode.IS_DIRECTORY);
    }

    @Test
    void setAttr() {
        fx.ok(write("/f", 0, "x"));
        Attr before = fx.stat("/f");
        Attr a = fx.attrs(new Command.SetAttr("/f", 1_000_000_123_456_789L, 0640));
        assertThat(a.mtimeNanos()).isEqualTo(1_000_000_123_456_789L);
        assertThat(a.mode()).isEqualTo(0640);
        Attr same = fx.attrs(new Command.SetAttr("/f", Command.SetAttr.UNCHANGED, -1));
        assertThat(same.mtimeNanos()).isEqualTo(a.mtimeNanos());
        assertThat(same.mode()).isEqualTo(0640);
        assertThat(List.of(before.version(), a.version(), same.version())).doesNotHaveDuplicates();
        assertThat(fx.err(new Command.SetAttr("/nope", 0, -1))).isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    void xattrs() {
        fx.ok(write("/f", 0, "x"));
        assertThat(fx.err(new Command.XattrGet("/f", "k"))).isEqualTo(ErrorCode.NO_ATTRIBUTE);
        assertThat(fx.err(new Command.XattrRemove("/f", "k"))).isEqualTo(ErrorCode.NO_ATTRIBUTE);
        fx.ok(new Command.XattrSet("/f", "k", bytes("v1")), new Command.XattrSet("/f", "a", bytes("v0")));
        fx.ok(new Command.XattrSet("/f", "k", bytes("v2")));
        Result.Xattrs list = (Result.Xattrs) fx.ok(new Command.XattrList("/f")).getFirst();
        assertThat(list.xattrs()).containsExactly(new Xattr("a", bytes("v0")), new Xattr("k", bytes("v2")));
        fx.ok(new Command.XattrRemove("/f", "k"));
        assertThat(fx.err(new Command.XattrGet("/f", "k"))).isEqualTo(ErrorCode.NO_ATTRIBUTE);
        assertThat(fx.err(new Command.XattrSet("/nope", "k", bytes("v")))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(fx.err(new Command.XattrSet("/f", "x".repeat(300), bytes("v")))).isEqualTo(ErrorCode.NAME_TOO_LONG);
        assertThat(fx.err(new Command.XattrSet("/f", "", bytes("v")))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        fx.ok(new Command.XattrSet("/", "rootattr", bytes("r")));
        assertThat(((Result.Xattrs) fx.ok(new Command.XattrList("/")).getFirst()).xattrs()).hasSize(1);
    }

    @Test
    void readOnlyRequestWithAFailureAbortsTheOthers() {
        fx.ok(write("/f", 0, "x"));
        var reply = fx.send(new Command.Stat("/f"), new Command.Stat("/missing"), new Command.Ping(1));
        assertThat(reply.results()).extracting(r -> ((Result.Error) r).code())
                .containsExactly(ErrorCode.ABORTED, ErrorCode.NOT_FOUND, ErrorCode.ABORTED);
        assertThat(reply.results()).hasSize(3);
        assertThat(List.of(reply.firstError().code())).containsExactly(ErrorCode.NOT_FOUND);
    }
}
