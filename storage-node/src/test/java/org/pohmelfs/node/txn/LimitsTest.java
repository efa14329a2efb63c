package org.pohmelfs.node.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pohmelfs.node.txn.Fixture.write;

import java.io.IOException;
import java.nio.file.Path;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.node.store.StoreSettings;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.NodeInfo;

/** The size limit and read-only mode refuse changes and change nothing. */
class LimitsTest {
    @TempDir
    Path export;

    @Test
    void sizeLimitRefusesWritesCopiesAndTruncatesThatWouldExceedIt() throws IOException {
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export).withFsync(false).withSizeLimit(100))) {
            Fixture fx = new Fixture(tm);
            fx.ok(write("/a", 0, "x".repeat(60)));
            TreeMap<String, String> before = Fixture.snapshot(export);
            assertThat(fx.err(write("/b", 0, "y".repeat(41)))).isEqualTo(ErrorCode.NO_SPACE);
            assertThat(fx.err(write("/a", 90, "y".repeat(11)))).isEqualTo(ErrorCode.NO_SPACE);
            assertThat(fx.err(new Command.Copy("/a", "/c", false))).isEqualTo(ErrorCode.NO_SPACE);
            assertThat(fx.err(new Command.Truncate("/a", 101))).isEqualTo(ErrorCode.NO_SPACE);
            assertThat(fx.err(write("/b", 0, "y".repeat(20)), write("/c", 0, "z".repeat(21)))).isEqualTo(ErrorCode.NO_SPACE);
            assertThat(Fixture.snapshot(export)).isEqualTo(before);
            NodeInfo info = tm.info();
            assertThat(info.usedBytes()).isEqualTo(60);
            assertThat(info.availableBytes()).isEqualTo(40);
            assertThat(info.capacityBytes()).isEqualTo(100);
            assertThat(info.sizeLimitBytes()).isEqualTo(100);
            fx.ok(write("/b", 0, "y".repeat(40)));
            fx.ok(write("/a", 0, "overwrite within the size is fine"));
            assertThat(tm.info().availableBytes()).isZero();
        }
    }

    @Test
    void readOnlyRefusesEveryMutationAndStillServesReads() throws IOException {
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export).withFsync(false))) {
            new Fixture(tm).ok(write("/a", 0, "a"), new Command.Mkdir("/d", false, 0));
        }
        TreeMap<String, String> before = Fixture.snapshot(export);
        try (TransactionManager tm = TransactionManager.open(StoreSettings.defaults(export).withReadOnly(true))) {
            Fixture fx = new Fixture(tm);
            Command[] mutations = {write("/a", 0, "b"), new Command.Create("/n", false, false, 0),
                    new Command.Mkdir("/m", false, 0), new Command.Delete("/a", false), new Command.Rename("/a", "/b", false),
                    new Command.Copy("/a", "/b", false), new Command.Truncate("/a", 0), new Command.SetAttr("/a", 0, 0),
                    new Command.XattrSet("/a", "k", Fixture.bytes("v")), new Command.XattrRemove("/a", "k")};
            for (Command c : mutations) {
                assertThat(fx.err(new Command.Stat("/a"), c)).as(c.toString()).isEqualTo(ErrorCode.READ_ONLY);
            }
            assertThat(fx.read("/a")).isEqualTo("a");
            assertThat(tm.info().readOnly()).isTrue();
        }
        assertThat(Fixture.snapshot(export)).isEqualTo(before);
    }
}
