package org.pohmelfs.gateway.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.rest.GatewayTestSupport;
import org.pohmelfs.gateway.testing.LocalNodes;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Runs the litmus WebDAV test suite (the Debian package) against a real gateway and node,
 * and requires every test of the class 1 and class 2 (locks) suites to pass. The output is kept in
 * target/litmus/litmus.out. Skipped, saying why, only when the litmus binary is missing.
 */
class LitmusTest {
    static final List<String> SUITES = List.of("basic", "copymove", "props", "locks", "http");
    static final Pattern SUMMARY = Pattern.compile(
            "<- summary for `(\\w+)': of (\\d+) tests run: (\\d+) passed, (\\d+) failed");

    static Path dir;
    static LocalNodes nodes;
    static ConfigurableApplicationContext gateway;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("litmus-test");
        nodes = LocalNodes.start(dir, 1, java.time.Duration.ofSeconds(1)); // leases: runs through the cache
        gateway = GatewayTestSupport.startGateway("gw1", nodes.addresses());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (nodes != null) {
            nodes.close();
        }
    }

    static Path litmus() {
        for (String p : List.of("/usr/bin/litmus", "/usr/local/bin/litmus")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        return null;
    }

    @Test
    void class1And2SuitesPassCompletely() throws Exception {
        Path litmus = litmus();
        Assumptions.assumeTrue(litmus != null,
                "litmus is not installed (apt-get install litmus); the WebDAV conformance run was skipped");
        Path work = Files.createDirectories(Path.of("target", "litmus"));
        Path out = work.resolve("litmus.out");
        ProcessBuilder pb = new ProcessBuilder(litmus.toString(), GatewayTestSupport.baseUrl(gateway) + "/dav/")
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("TESTS", String.join(" ", SUITES));
        Process process = pb.start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("litmus finished").isTrue();
        String text = Files.readString(out, StandardCharsets.UTF_8);

        Map<String, int[]> summaries = new LinkedHashMap<>();
        Matcher m = SUMMARY.matcher(text);
        while (m.find()) {
            summaries.put(m.group(1), new int[] {Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))});
        }
        assertThat(summaries.keySet()).as("suites run; litmus said:%n%s", text).containsExactlyElementsOf(SUITES);
        summaries.forEach((suite, counts) ->
                assertThat(counts[1]).as("failures in %s; litmus said:%n%s", suite, text).isZero());
    }
}
