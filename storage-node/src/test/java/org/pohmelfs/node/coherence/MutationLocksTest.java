package org.pohmelfs.node.coherence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.protocol.Command;

/** What each mutating command locks before it is applied (design.md §3.1). */
class MutationLocksTest {

    private static List<String> of(Command... commands) {
        return MutationLocks.of(List.of(commands)).stream()
                .map(n -> n.path() + " " + (n.mode() == LockMode.EXCLUSIVE ? "X" : "S")
                        + (n.scope() == LockScope.SUBTREE ? " subtree" : ""))
                .toList();
    }

    @Test
    void contentChangesLockTheObject() {
        assertThat(of(new Command.Write("/a/f", 0, ByteBuffer.allocate(1), false))).containsExactly("/a/f X");
        assertThat(of(new Command.Truncate("/f", 0), new Command.SetAttr("/g", 0, 0644),
                new Command.XattrSet("/h", "n", ByteBuffer.allocate(1)), new Command.XattrRemove("/i", "n")))
                .containsExactly("/f X", "/g X", "/h X", "/i X");
    }

    @Test
    void creatingAndDeletingLockTheParentListingToo() {
        assertThat(of(new Command.Write("/a/f", 0, ByteBuffer.allocate(1), true))).containsExactly("/a X", "/a/f X");
        assertThat(of(new Command.Create("/a/f", true, false, 0644))).containsExactly("/a X", "/a/f X");
        assertThat(of(new Command.Mkdir("/a/b/c", true, 0755))).containsExactly("/ X", "/a X", "/a/b X", "/a/b/c X");
        assertThat(of(new Command.Delete("/a/f", false))).containsExactly("/a X", "/a/f X");
        assertThat(of(new Command.Delete("/a/d", true))).containsExactly("/a X", "/a/d X subtree");
    }

    @Test
    void renameAndCopyLockBothTreesAndTheParents() {
        assertThat(of(new Command.Rename("/a/x", "/b/y", false)))
                .containsExactly("/a X", "/a/x X subtree", "/b X", "/b/y X subtree");
        assertThat(of(new Command.Copy("/a/x", "/b/y", false))).containsExactly("/a/x S subtree", "/b X", "/b/y X subtree");
    }

    @Test
    void onePathIsLockedOnceWithTheStrongestNeedAndReadsLockNothing() {
        assertThat(of(new Command.Copy("/a", "/b", false), new Command.Delete("/a", true)))
                .containsExactly("/ X", "/a X subtree", "/b X subtree");
        assertThat(of(new Command.Stat("/a"), new Command.Read("/a", 0, 1), new Command.Write("/../x", 0,
                ByteBuffer.allocate(0), false))).isEmpty();
    }
}
