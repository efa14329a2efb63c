package org.pohmelfs.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Opcodes;

class DowngradeTest {
    private static final ByteBuffer DATA = ByteBuffer.wrap(new byte[] {1, 2, 3});

    @Test
    void withoutTheFeatureUnstableWritesGoStableAndCommitGoesAsSync() {
        List<Command> tx = List.of(new Command.Commit("/s"), new Command.Mkdir("/d", true, 0755),
                new Command.Rename("/s", "/d/f", false));
        assertThat(Downgrade.forPeer(tx, Set.of("davlocks"))).containsExactly(new Command.Sync("/s"),
                new Command.Mkdir("/d", true, 0755), new Command.Rename("/s", "/d/f", false));

        List<Command> write = List.of(new Command.Write("/s", 4, DATA, false, true));
        List<Command> sent = Downgrade.forPeer(write, Set.of());
        assertThat(sent).containsExactly(new Command.Write("/s", 4, DATA, false));
        assertThat(sent.getFirst().opcode()).isEqualTo(Opcodes.WRITE);
    }

    @Test
    void withTheFeatureOrWithNothingUnstableTheTransactionIsSentAsItIs() {
        List<Command> unstable = List.of(new Command.Write("/s", 0, DATA, true, true), new Command.Commit("/s"));
        assertThat(Downgrade.forPeer(unstable, Set.of(Opcodes.FEATURE_UNSTABLE))).isSameAs(unstable);
        List<Command> stable = List.of(new Command.Write("/s", 0, DATA, true), new Command.Sync("/s"));
        assertThat(Downgrade.forPeer(stable, Set.of())).isSameAs(stable);
    }
}
