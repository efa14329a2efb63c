package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pohmelfs.node.txn.Fixture.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.DirEntry;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.Result;

class ListingAndVersionsTest {
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

    private Result.Listing list(String path, String after, int limit) {
        return (Result.Listing) fx.ok(new Command.List(path, after, limit)).getFirst();
    }

    @Test
    void listingIsSortedByUtf8BytesAndPaged() {
        // UTF-16 order would put U+FF21 before U+1F600; UTF-8 byte order puts it after.
        List<String> names = List.of("b", "a", "Z", "\uD83D\uDE00", "\uFF21", "é", "a0");
        for (String n : names) {
            fx.ok(write("/d/".replace("/d/", "/") + n, 0, n));
        }
        fx.ok(new Command.Mkdir("/sub", false, 0));
        List<String> seen = new ArrayList<>();
        String after = "";
        int pages = 0;
        while (true) {
            Result.Listing page = list("/", after, 3);
            pages++;
            assertThat(page.entries().size()).isLessThanOrEqualTo(3);
            page.entries().forEach(e -> seen.add(e.name()));
            if (!page.more()) {
                break;
            }
            after = page.entries().getLast().name();
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactly("Z", "a", "a0", "b", "sub", "é", "\uFF21", "\uD83D\uDE00");
        assertThat(seen).doesNotContain(".pohmelfs");
    }

    @Test
    void listingCarriesAttrsAndDirectoryAttr() {
        fx.ok(new Command.Mkdir("/d", false, 0), write("/d/f", 0, "abc"), new Command.Mkdir("/d/sub", false, 0));
        Result.Listing l = list("/d", "", 100);
        assertThat(l.more()).isFalse();
        assertThat(l.directory()).isEqualTo(fx.stat("/d"));
        assertThat(l.entries()).extracting(DirEntry::name).containsExactly("f", "sub");
        assertThat(l.entries().getFirst().attr()).isEqualTo(fx.stat("/d/f"));
        assertThat(l.entries().get(1).attr().size()).isZero();
        assertThat(fx.err(new Command.List("/d/f", "", 10))).isEqualTo(ErrorCode.NOT_DIRECTORY);
        assertThat(fx.err(new Command.List("/missing", "", 10))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(fx.err(new Command.List("/d", "", 0))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void listingSkipsLinksAndForeignNames() throws IOException {
        fx.ok(write("/ok", 0, "x"));
        Files.createSymbolicLink(export.resolve("link"), export.resolve("ok"));
        Files.writeString(export.resolve("e\u0301"), "decomposed name");
        assertThat(list("/", "", 10).entries()).extracting(DirEntry::name).containsExactly("ok");
    }

    @Test
    void versionsChangeOnTheObjectAndItsAncestorsOnly() {
        fx.ok(new Command.Mkdir("/a/b", true, 0), write("/a/b/f", 0, "1"), write("/a/sibling", 0, "s"),
                new Command.Mkdir("/other", false, 0));
        Attr root0 = fx.stat("/");
        Attr a0 = fx.stat("/a");
        Attr b0 = fx.stat("/a/b");
        Attr f0 = fx.stat("/a/b/f");
        Attr sib0 = fx.stat("/a/sibling");
        Attr other0 = fx.stat("/other");
        assertThat(f0.version()).isNotZero();

        Attr f1 = fx.attrs(write("/a/b/f", 0, "2"));
        assertThat(f1.version()).isNotEqualTo(f0.version());
        assertThat(fx.stat("/a/b").version()).isNotEqualTo(b0.version());
        assertThat(fx.stat("/a").version()).isNotEqualTo(a0.version());
        assertThat(fx.stat("/").version()).isNotEqualTo(root0.version());
        assertThat(fx.stat("/a/sibling")).isEqualTo(sib0);
        assertThat(fx.stat("/other")).isEqualTo(other0);

        long beforeDelete = fx.stat("/a/b").version();
        fx.ok(new Command.Delete("/a/b/f", false));
        long afterDelete = fx.stat("/a/b").version();
        assertThat(afterDelete).isNotEqualTo(beforeDelete);
        fx.ok(new Command.XattrSet("/a/sibling", "k", Fixture.bytes("v")));
        assertThat(fx.stat("/a/sibling").version()).isNotEqualTo(sib0.version());
        assertThat(fx.stat("/a/b").version()).isEqualTo(afterDelete);
        assertThat(fx.stat("/a/sibling").etag()).isNotEqualTo(sib0.etag());
    }

    @Test
    void renameChangesBothParentsAndTheMovedObject() {
        fx.ok(new Command.Mkdir("/x", false, 0), new Command.Mkdir("/y", false, 0), write("/x/f", 0, "f"));
        long fv = fx.stat("/x/f").version();
        long xv = fx.stat("/x").version();
        long yv = fx.stat("/y").version();
        Attr moved = fx.attrs(new Command.Rename("/x/f", "/y/g", false));
        assertThat(moved.version()).isNotEqualTo(fv);
        assertThat(fx.stat("/x").version()).isNotEqualTo(xv);
        assertThat(fx.stat("/y").version()).isNotEqualTo(yv);
    }

    @Test
    void versionsSurviveARestartAndTheSameChangeFromAnotherIncarnationGetsAnotherVersion() throws IOException {
        fx.ok(write("/f", 0, "1"));
        long before = fx.stat("/f").version();
        tm.close();
        tm = TransactionManager.open(StoreSettings.defaults(export).withFsync(false));
        fx = new Fixture(tm);
        assertThat(fx.stat("/f").version()).isEqualTo(before);
        // Same peer, same txid (1), same content: a new incarnation makes it another transaction.
        assertThat(fx.attrs(write("/f", 0, "1")).version()).isNotEqualTo(before);
    }

    @Test
    void aNewExportsRootGetsARandomVersion(@TempDir Path other) throws IOException {
        long first = fx.stat("/").version();
        assertThat(first).as("ETags of a wiped export must not come back").isNotZero();
        TransactionManager second = TransactionManager.open(StoreSettings.defaults(other).withFsync(false));
        try {
            assertThat(new Fixture(second).stat("/").version()).as("another export, another root version")
                    .isNotEqualTo(first).isNotZero();
        } finally {
            second.close();
        }
    }

    @Test
    void filesPutIntoTheExportByHandGetVersionsOfTheirOwnAtStart(@TempDir Path other) throws IOException {
        Files.createDirectories(other.resolve("seeded/deep"));
        Files.writeString(other.resolve("seeded/a.txt"), "a");
        Files.writeString(other.resolve("seeded/deep/b.txt"), "b");
        TransactionManager seeded = TransactionManager.open(StoreSettings.defaults(other).withFsync(false));
        Fixture sf = new Fixture(seeded);
        Attr a;
        Attr b;
        Attr dir;
        try {
            a = sf.stat("/seeded/a.txt");
            b = sf.stat("/seeded/deep/b.txt");
            dir = sf.stat("/seeded");
            assertThat(List.of(a.version(), b.version(), dir.version(), sf.stat("/").version()))
                    .doesNotContain(0L).doesNotHaveDuplicates();
        } finally {
            seeded.close();
        }
        seeded = TransactionManager.open(StoreSettings.defaults(other).withFsync(false));
        try {
            assertThat(new Fixture(seeded).stat("/seeded/a.txt")).as("stamped once, not at every start").isEqualTo(a);
            assertThat(new Fixture(seeded).stat("/seeded")).isEqualTo(dir);
        } finally {
            seeded.close();
        }
    }
}
