package org.pohmelfs.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway process fixture leaves no process behind. */
class GatewayProcessTest {
    @TempDir
    Path tmp;

    @Test
    void aGatewayWhoseParentGoesAwayHaltsByItself() throws Exception {
        try (LocalNodes nodes = LocalNodes.start(tmp.resolve("cluster"), 1);
             GatewayProcess gw = GatewayProcess.start(tmp.resolve("gw.log"), List.of("-Xmx256m"), nodes.addresses())) {
            assertThat(gw.isAlive()).isTrue();
            // What the death of the test JVM (even by SIGKILL) does: the child's standard input closes.
            gw.process().getOutputStream().close();
            assertThat(gw.process().waitFor(60, TimeUnit.SECONDS)).as("the orphan halts").isTrue();
            assertThat(gw.process().exitValue()).isEqualTo(GatewayChild.ORPHANED);
        }
    }

    @Test
    void closeStopsTheProcess() throws Exception {
        GatewayProcess gw;
        try (LocalNodes nodes = LocalNodes.start(tmp.resolve("cluster"), 1)) {
            gw = GatewayProcess.start(tmp.resolve("gw.log"), List.of("-Xmx256m"), nodes.addresses());
            gw.close();
        }
        assertThat(gw.isAlive()).isFalse();
    }
}
