package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pohmelfs.node.txn.Fixture.bytes;
import static org.pohmelfs.node.txn.Fixture.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;

/** Paths that try to leave the export or reach the node's state are refused, and nothing outside changes. */
class HostilePathsTest {
    @TempDir
    Path base;
    Path export;
    Path outside;
    TransactionManager tm;
    Fixture fx;
    TreeMap<String, String> outsideBefore;

    @BeforeEach
    void open() throws IOException {
        export = Files.createDirectory(base.resolve("export"));
        outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "secret");
        Files.createDirectory(outside.resolve("dir"));
        Files.createSymbolicLink(export.resolve("out"), outside);
        Files.createSymbolicLink(export.resolve("secretlink"), outside.resolve("secret"));
        Files.createSymbolicLink(export.resolve("etc"), Path.of("/etc"));
        tm = TransactionManager.open(StoreSettings.defaults(export).withFsync(false));
        fx = new Fixture(tm);
        fx.ok(new Command.Mkdir("/inside", false, 0), write("/inside/f", 0, "inside"));
        outsideBefore = Fixture.snapshot(outside);
    }

    @AfterEach
    void close() throws IOException {
        tm.close();
        assertThat(Fixture.snapshot(outside)).isEqualTo(outsideBefore);
        assertThat(Files.readString(outside.resolve("secret"))).isEqualTo("secret");
    }

    @Test
    void malformedPathsAreInvalid() {
        for (String p : new String[] {"..", "/..", "/a/../../etc", "/inside/../..", "relative", "", "//x", "/a/./b",
                "/a\0b", "/a\\..\\b", "/a/\n"}) {
            assertThat(fx.err(new Command.Stat(p))).as(p).isEqualTo(ErrorCode.INVALID_PATH);
            assertThat(fx.err(write(p, 0, "x"))).as(p).isEqualTo(ErrorCode.INVALID_PATH);
        }
    }

    @Test
    void tooLongNamesAndPaths() {
        assertThat(fx.err(write("/" + "n".repeat(256), 0, "x"))).isEqualTo(ErrorCode.NAME_TOO_LONG);
        assertThat(fx.err(new Command.Mkdir(("/" + "d".repeat(200)).repeat(25), true, 0))).isEqualTo(ErrorCode.NAME_TOO_LONG);
        fx.ok(write("/" + "n".repeat(255), 0, "x"));
    }

    @Test
    void reservedFolderCannotBeNamed() {
        for (String p : new String[] {"/.pohmelfs", "/.pohmelfs/journal", "/.pohmelfs/trash/x"}) {
            assertThat(fx.err(new Command.Stat(p))).isEqualTo(ErrorCode.INVALID_PATH);
            assertThat(fx.err(new Command.Delete(p, true))).isEqualTo(ErrorCode.INVALID_PATH);
            assertThat(fx.err(write(p, 0, "x"))).isEqualTo(ErrorCode.INVALID_PATH);
            assertThat(fx.err(new Command.Rename("/inside/f", p, false))).isEqualTo(ErrorCode.INVALID_PATH);
            assertThat(fx.err(new Command.List(p, "", 10))).isEqualTo(ErrorCode.INVALID_PATH);
        }
        fx.ok(new Command.Mkdir("/inside/.pohmelfs", false, 0));
        assertThat(Files.isDirectory(export.resolve(".pohmelfs/trash"))).isTrue();
    }

    @Test
    void symlinksOutAreRefusedForEveryCommand() {
        String[] viaLink = {"/out/secret", "/out/dir", "/secretlink", "/etc/passwd", "/etc", "/out"};
        for (String p : viaLink) {
            assertThat(fx.err(new Command.Stat(p))).as(p).isEqualTo(ErrorCode.ACCESS_DENIED);
            assertThat(fx.err(new Command.Read(p, 0, 10))).as(p).isEqualTo(ErrorCode.ACCESS_DENIED);
            assertThat(fx.err(write(p, 0, "pwned"))).as(p).isEqualTo(ErrorCode.ACCESS_DENIED);
            assertThat(fx.err(new Command.Truncate(p, 0))).as(p).isEqualTo(ErrorCode.ACCESS_DENIED);
            assertThat(fx.err(new Command.Delete(p, true))).as(p).isEqualTo(ErrorCode.ACCESS_DENIED);
            assertThat(fx.err(new Command.SetAttr(p, 0, 0777))).as(p).isEqualTo(ErrorCode.ACCESS_DENIED);
            assertThat(fx.err(new Command.XattrSet(p, "k", bytes("v")))).as(p).isEqualTo(ErrorCode.ACCESS_DENIED);
            assertThat(fx.err(new Command.XattrList(p))).as(p).isEqualTo(ErrorCode.ACCESS_DENIED);
            assertThat(fx.err(new Command.Create(p, false, true, 0))).as(p).isEqualTo(ErrorCode.ACCESS_DENIED);
            assertThat(fx.err(new Command.Rename("/inside/f", p, false))).as(p).isEqualTo(ErrorCode.ACCESS_DENIED);
            assertThat(fx.err(new Command.Rename(p, "/stolen", false))).as(p).isEqualTo(ErrorCode.ACCESS_DENIED);
            assertThat(fx.err(new Command.Copy(p, "/stolen", false))).as(p).isEqualTo(ErrorCode.ACCESS_DENIED);
            assertThat(fx.err(new Command.Copy("/inside/f", p, false))).as(p).isEqualTo(ErrorCode.ACCESS_DENIED);
        }
        assertThat(fx.err(new Command.List("/out", "", 10))).isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(fx.err(new Command.List("/out/dir", "", 10))).isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(fx.err(new Command.Mkdir("/out/newdir", true, 0))).isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(fx.err(write("/out/new", 0, "x"))).isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(fx.err(new Command.Create("/out/x/y/z", false, true, 0))).isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(Files.isSymbolicLink(export.resolve("out"))).isTrue();
        assertThat(Files.isSymbolicLink(export.resolve("etc"))).isTrue();
    }

    @Test
    void copyOfATreeHoldingALinkIsRefusedAndLeavesNothing() throws IOException {
        Files.createSymbolicLink(export.resolve("inside/escape"), outside);
        assertThat(fx.err(new Command.Copy("/inside", "/copy", false))).isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(Files.exists(export.resolve("copy"))).isFalse();
    }

    @Test
    void recursiveDeleteOfATreeHoldingALinkRemovesOnlyTheLink() throws IOException {
        Files.createSymbolicLink(export.resolve("inside/escape"), outside);
        fx.ok(new Command.Delete("/inside", true));
        tm.awaitBackgroundWork();
        assertThat(Files.exists(export.resolve("inside"))).isFalse();
    }
}
