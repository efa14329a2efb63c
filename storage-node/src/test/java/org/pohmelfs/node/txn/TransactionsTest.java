package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pohmelfs.node.txn.Fixture.bytes;
import static org.pohmelfs.node.txn.Fixture.write;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Message;
import org.pohmelfs.protocol.Result;

class TransactionsTest {
    @TempDir
    Path export;
    TransactionManager tm;
    Fixture fx;

    @BeforeEach
    void open() throws IOException {
        tm = TransactionManager.open(StoreSettings.defaults(export).withFsync(true).withReplyCacheEntries(4));
        fx = new Fixture(tm);
        fx.ok(new Command.Mkdir("/d/e", true, 0), write("/d/e/f", 0, "original content"), write("/g", 0, "g"),
                new Command.XattrSet("/g", "k", bytes("v")), new Command.Mkdir("/victim/sub", true, 0),
                write("/victim/sub/x", 0, "x"), new Command.Mkdir("/emptydir", false, 0));
    }

    @AfterEach
    void close() {
        tm.close();
    }

    private static List<Command> everyKindOfChange() {
        return List.of(
                write("/d/e/f", 4, "OVERWRITE and extend the file"),
                new Command.Mkdir("/new/deep/dir", true, 0),
                write("/new/deep/dir/file", 0, "created"),
                new Command.Create("/g", false, false, 0),
                new Command.Truncate("/d/e/f", 2),
                new Command.SetAttr("/d/e", 12345, 0700),
                new Command.XattrSet("/g", "k", bytes("changed")),
                new Command.XattrSet("/d", "new", bytes("n")),
                new Command.XattrRemove("/g", "k"),
                new Command.Copy("/d", "/dcopy", false),
                new Command.Rename("/d/e/f", "/moved", false),
                new Command.Rename("/emptydir", "/victim/sub2", false),
                new Command.Delete("/victim", true),
                new Command.Rename("/dcopy", "/emptydir", false),
                new Command.Mkdir("/emptydir2", false, 0));
    }

    @Test
    void failingLastCommandLeavesTheExportExactlyAsBefore() throws IOException {
        TreeMap<String, String> before = Fixture.snapshot(export);
        var info = tm.info();
        List<Command> cmds = new java.util.ArrayList<>(everyKindOfChange());
        cmds.add(new Command.Stat("/definitely/missing"));
        Message.Reply reply = fx.send(cmds.toArray(Command[]::new));
        assertThat(reply.results()).hasSize(cmds.size());
        assertThat(reply.results().getLast()).isEqualTo(reply.firstError());
        assertThat(reply.firstError().code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(reply.results().subList(0, cmds.size() - 1))
                .allSatisfy(r -> assertThat(((Result.Error) r).code()).isEqualTo(ErrorCode.ABORTED));
        tm.awaitBackgroundWork();
        assertThat(Fixture.snapshot(export)).isEqualTo(before);
        assertThat(tm.info().usedBytes()).isEqualTo(info.usedBytes());
        assertThat(tm.info().objectCount()).isEqualTo(info.objectCount());
    }

    @Test
    void aLargeOverwriteIsRolledBackFromItsUndoSideFile() throws IOException {
        byte[] original = new byte[3 << 20];
        new java.util.Random(7).nextBytes(original);
        fx.ok(new Command.Write("/big", 0, ByteBuffer.wrap(original), true));
        TreeMap<String, String> before = Fixture.snapshot(export);
        byte[] over = new byte[2 << 20];
        java.util.Arrays.fill(over, (byte) 'z');
        // more than the inline limit is overwritten, so the old range goes to a side file in undo/
        Message.Reply r = fx.send(new Command.Write("/big", 512 << 10, ByteBuffer.wrap(over), false),
                new Command.Stat("/definitely/missing"));
        assertThat(r.ok()).isFalse();
        tm.awaitBackgroundWork();
        assertThat(Fixture.snapshot(export)).isEqualTo(before);
        assertThat(Files.readAllBytes(export.resolve("big"))).isEqualTo(original);
        assertThat(Files.list(export.resolve(".pohmelfs/undo")).toList()).isEmpty();
    }

    @Test
    void theSameChangesCommitWhenNothingFails() throws IOException {
        fx.ok(everyKindOfChange().toArray(Command[]::new));
        assertThat(fx.read("/moved")).isEqualTo("or");
        assertThat(fx.read("/new/deep/dir/file")).isEqualTo("created");
        assertThat(fx.err(new Command.Stat("/victim"))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(fx.read("/emptydir/e/f")).isEqualTo("or");
        assertThat(fx.stat("/g").size()).isZero();
        tm.awaitBackgroundWork();
        assertThat(Files.list(export.resolve(".pohmelfs/trash")).toList()).isEmpty();
    }

    @Test
    void aFailureInTheMiddleAbortsLaterCommandsToo() throws IOException {
        TreeMap<String, String> before = Fixture.snapshot(export);
        Message.Reply r = fx.send(write("/g", 0, "changed"), new Command.Mkdir("/emptydir", false, 0), write("/h", 0, "h"));
        assertThat(r.results()).extracting(x -> ((Result.Error) x).code())
                .containsExactly(ErrorCode.ABORTED, ErrorCode.EXISTS, ErrorCode.ABORTED);
        assertThat(Fixture.snapshot(export)).isEqualTo(before);
    }

    @Test
    void resendIsAnsweredWithTheOriginalReplyAndAppliedOnce() throws IOException {
        var append = new Message.Request(77, 0, List.of(new Command.Create("/log", true, false, 0), write("/log", 0, "once")));
        Message.Reply first = tm.apply("gw1", 9, append);
        assertThat(first.ok()).isTrue();
        Message.Reply again = tm.apply("gw1", 9, append);
        assertThat(again).isEqualTo(first);
        assertThat(Files.readString(export.resolve("log"))).isEqualTo("once");
        // another incarnation is another transaction: create exclusive now fails
        assertThat(tm.apply("gw1", 10, append).firstError().code()).isEqualTo(ErrorCode.EXISTS);

        tm.close();
        tm = TransactionManager.open(StoreSettings.defaults(export).withReplyCacheEntries(4));
        assertThat(tm.apply("gw1", 9, append)).isEqualTo(first);
        assertThat(Files.readString(export.resolve("log"))).isEqualTo("once");
    }

    @Test
    void failedRepliesAreCachedTooAndTheCacheIsBounded() {
        var failing = new Message.Request(5, 0, List.of(new Command.Delete("/nope", false)));
        Message.Reply r = tm.apply("p", 1, failing);
        assertThat(r.firstError().code()).isEqualTo(ErrorCode.NOT_FOUND);
        fx.ok(write("/nope", 0, "now it exists"));
        assertThat(tm.apply("p", 1, failing)).isEqualTo(r);
        for (int i = 0; i < 4; i++) {
            assertThat(tm.apply("p", 1, new Message.Request(100 + i, 0, List.of(new Command.Mkdir("/m" + i, false, 0)))).ok()).isTrue();
        }
        // txid 5 was pushed out of the 4-entry cache: a resend is applied again, and now succeeds
        assertThat(tm.apply("p", 1, failing).ok()).isTrue();
        // txid 103 is still cached: its resend does not fail with EXISTS
        var recent = new Message.Request(103, 0, List.of(new Command.Mkdir("/m3", false, 0)));
        assertThat(tm.apply("p", 1, recent).ok()).isTrue();
    }

    @Test
    void readersNeverSeeHalfATransaction() throws Exception {
        fx.ok(write("/a", 0, "0"), write("/b", 0, "0"));
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> writer = ex.submit(() -> {
                for (int i = 1; i <= 200; i++) {
                    fx.ok(write("/a", 0, Integer.toString(i % 10)), write("/b", 0, Integer.toString(i % 10)));
                }
            });
            Future<?> reader = ex.submit(() -> {
                while (!writer.isDone()) {
                    List<Result> rs = fx.ok(new Command.Read("/a", 0, 10), new Command.Read("/b", 0, 10));
                    ByteBuffer a = ((Result.Data) rs.get(0)).data();
                    ByteBuffer b = ((Result.Data) rs.get(1)).data();
                    assertThat(Fixture.text(a)).isEqualTo(Fixture.text(b));
                }
            });
            writer.get();
            reader.get();
        }
    }
}
