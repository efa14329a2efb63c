package org.pohmelfs.gateway.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.admin.AdminViews;

/** The command line's table and progress bars, as pure functions of the API's answers (golden text). */
class AdminRenderTest {
    private static final AdminViews.Usage USAGE = new AdminViews.Usage(10L << 30, 3 * 1024 * 1024, 5L << 30, 12, 0,
            false);

    @Test
    void tableOfMembers() {
        AdminViews.Progress p = new AdminViews.Progress("COPYING", "node1", 10, 30, 1 << 20, 3 << 20, 1_000, 11_000, 0.25);
        AdminViews.Nodes nodes = new AdminViews.Nodes(7, "node1", true, List.of(
                new AdminViews.Node("node1", "127.0.0.1:7070", "IN_SYNC", true, true, USAGE, null, null),
                new AdminViews.Node("node2", "127.0.0.1:7071", "OUT", false, false, null, "connection refused", null),
                new AdminViews.Node("node4", "127.0.0.1:7073", "RESYNCING", false, true, USAGE, null, p)));
        assertThat(AdminRender.table(nodes)).isEqualTo("""
                map epoch 7, lock authority node1
                ID     ADDRESS         STATE      AUTHORITY  LIVE  USED     AVAILABLE    RESYNC
                node1  127.0.0.1:7070  IN_SYNC    yes        yes   3.0 MiB  5.0 GiB
                node2  127.0.0.1:7071  OUT                   no    -        unreachable
                node4  127.0.0.1:7073  RESYNCING             yes   3.0 MiB  5.0 GiB      25.0% COPYING
                """);
    }

    @Test
    void staticListHasNoLivenessAndSaysItCannotChange() {
        AdminViews.Nodes nodes = new AdminViews.Nodes(1, "127.0.0.1:7070", false, List.of(
                new AdminViews.Node("127.0.0.1:7070", "127.0.0.1:7070", "IN_SYNC", true, null, USAGE, null, null)));
        assertThat(AdminRender.table(nodes)).startsWith(
                "map epoch 1, lock authority 127.0.0.1:7070 (static node list: membership cannot change)\n")
                .contains("IN_SYNC  yes        ?     3.0 MiB");
    }

    @Test
    void progressBarWithRateAndEta() {
        // 1 MiB done in 10 s (node's own clock): 102.4 KiB/s; 3 MiB left: 30 s.
        AdminViews.Progress p = new AdminViews.Progress("COPYING", "node1", 10, 30, 1 << 20, 3 << 20, 1_000, 11_000, 0.25);
        assertThat(AdminRender.progress("node4", p)).isEqualTo("node4 [*******.......................] 25.0% 1.0 MiB of 4.0 MiB, "
                .replace('*', '#') + "10 of 40 objects, 102.4 KiB/s, ETA 0:30 (COPYING from node1)");
    }

    @Test
    void progressEdges() {
        AdminViews.Progress planning = new AdminViews.Progress("PLANNING", "", 0, 0, 0, 0, 5_000, 5_000, 1.0);
        assertThat(AdminRender.progress("node5", planning))
                .isEqualTo("node5 [##############################] 100.0% 0 B of 0 B, 0 of 0 objects, ETA unknown (PLANNING)");
        AdminViews.Progress objectsOnly = new AdminViews.Progress("COPYING", "node2", 50, 150, 0, 0, 0, 100_000, 0.25);
        assertThat(AdminRender.progress("node5", objectsOnly)).endsWith("50 of 200 objects, 0.5 objects/s, ETA 5:00 (COPYING from node2)");
        assertThat(AdminRender.progress("node6", null)).isEqualTo("node6 [" + " ".repeat(30)
                + "] waiting for the node to publish its progress");
        AdminViews.Progress slow = new AdminViews.Progress("COPYING", "node1", 1, 1, 1024, 3600L * 1024 * 5, 0, 1_000, 0.0);
        assertThat(AdminRender.progress("node7", slow)).contains("1.0 KiB/s, ETA 5:00:00");
    }

    @Test
    void units() {
        assertThat(AdminRender.bytes(0)).isEqualTo("0 B");
        assertThat(AdminRender.bytes(1023)).isEqualTo("1023 B");
        assertThat(AdminRender.bytes(1024)).isEqualTo("1.0 KiB");
        assertThat(AdminRender.bytes(1536L << 20)).isEqualTo("1.5 GiB");
        assertThat(AdminRender.bytes(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
        assertThat(AdminRender.duration(59)).isEqualTo("0:59");
        assertThat(AdminRender.duration(3661)).isEqualTo("1:01:01");
    }

    @Test
    void theApisAnswersParseIntoTheViews() {
        String json = """
                {"epoch":2,"authority":"node1","changeable":true,"nodes":[{"id":"node4","address":"127.0.0.1:7073",
                "state":"RESYNCING","authority":false,"live":true,"usage":null,"usageError":"refused","resync":{
                "phase":"COPYING","source":"node1","objectsDone":1,"objectsLeft":3,"bytesDone":1048576,
                "bytesLeft":3145728,"startedAt":0,"updatedAt":10000,"fraction":0.25},"future":1}]}
                """;
        AdminViews.Nodes nodes = AdminTool.JSON.readValue(json, AdminViews.Nodes.class);
        assertThat(nodes.nodes().getFirst().resync()).isEqualTo(new AdminViews.Progress("COPYING", "node1", 1, 3, 1 << 20,
                3 << 20, 0, 10_000, 0.25));
        assertThat(nodes.nodes().getFirst().live()).isTrue();
        assertThat(nodes.nodes().getFirst().usage()).isNull();
    }
}
