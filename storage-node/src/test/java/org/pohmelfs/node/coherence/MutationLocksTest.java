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
                .map(n -> n.path() + " " + switch (n.mode()) {
                    case EXCLUSIVE -> "X";
                    case SHARED -> "S";
                    case INTENT -> "I";
                } + (n.scope() == LockScope.SUBTREE ? " subtree" : ""))
                .toList();
    }

    @Test
    void contentChangesLockTheObjectAndTakeIntentOnEveryAncestor() {
        assertThat(of(new Command.Write("/a/b/f", 0, ByteBuffer.allocate(1), false)))
                .containsExactly("/ I", "/a I", "/a/b I", "/a/b/f X");
        assertThat(of(new Command.Truncate("/f", 0), new Command.SetAttr("/g", 0, 0644),
                new Command.XattrSet("/h", "n", ByteBuffer.allocate(1)), new Command.XattrRemove("/i", "n")))
                .containsExactly("/ I", "/f X", "/g X", "/h X", "/i X");
        assertThat(of(new Command.SetAttr("/", 0, 0755))).as("the root has no ancestor").containsExactly("/ X");
    }

    @Test
    void creatingAndDeletingChangeTheParentListingUnderIntentToo() {
        assertThat(of(new Command.Write("/a/f", 0, ByteBuffer.allocate(1), true))).containsExactly("/ I", "/a I", "/a/f X");
        assertThat(of(new Command.Create("/a/f", true, false, 0644))).containsExactly("/ I", "/a I", "/a/f X");
        assertThat(of(new Command.Mkdir("/a/b/c", true, 0755))).containsExactly("/ I", "/a I", "/a/b I", "/a/b/c X");
        assertThat(of(new Command.Delete("/a/f", false))).containsExactly("/ I", "/a I", "/a/f X");
        assertThat(of(new Command.Delete("/a/d", true))).containsExactly("/ I", "/a I", "/a/d X subtree");
    }

    @Test
    void renameAndCopyLockBothTreesAndIntentOnTheirAncestors() {
        assertThat(of(new Command.Rename("/a/x", "/b/y", false)))
                .containsExactly("/ I", "/a I", "/a/x X subtree", "/b I", "/b/y X subtree");
        assertThat(of(new Command.Copy("/a/x", "/b/y", false)))
                .as("copying reads the source: no intent above it").containsExactly("/ I", "/a/x S subtree", "/b I", "/b/y X subtree");
    }

    @Test
    void onePathIsLockedOnceWithTheStrongestNeedAndReadsLockNothing() {
        assertThat(of(new Command.Copy("/a", "/b", false), new Command.Delete("/a", true)))
                .containsExactly("/ I", "/a X subtree", "/b X subtree");
        assertThat(of(new Command.Copy("/a/x", "/a/y", false), new Command.Write("/a/x/f", 0, ByteBuffer.allocate(1), false)))
                .as("S joined with INTENT is EXCLUSIVE").containsExactly("/ I", "/a I", "/a/x X subtree", "/a/x/f X", "/a/y X subtree");
        assertThat(of(new Command.Write("/a", 0, ByteBuffer.allocate(1), false), new Command.Write("/a/f", 0,
                ByteBuffer.allocate(1), false))).as("X on a path wins over INTENT on it").containsExactly("/ I", "/a X", "/a/f X");
        assertThat(of(new Command.Stat("/a"), new Command.Read("/a", 0, 1), new Command.Write("/../x", 0,
                ByteBuffer.allocate(0), false))).isEmpty();
    }
}
