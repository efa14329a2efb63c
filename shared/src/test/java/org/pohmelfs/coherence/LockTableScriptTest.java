package org.pohmelfs.coherence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden scripts for the lock table, in the style of etcd raft's datadriven tests. Each file
 * under {@code src/test/resources/coherence/locktable} is a list of blocks:
 * <pre>
 * # comment
 * command
 * ----
 * expected output
 * (blank line)
 * </pre>
 * Run with {@code -Dpohmelfs.rewrite=true} to rewrite the expected output in the source tree
 * (then read the diff before committing it).
 */
class LockTableScriptTest {
    private static final Path SOURCE = Path.of("src/test/resources/coherence/locktable");

    @TestFactory
    Stream<DynamicTest> scripts() throws IOException, URISyntaxException {
        Path dir = Path.of(getClass().getResource("/coherence/locktable").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".txt")).sorted().toList().stream()
                    .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> runFile(f)));
        }
    }

    private static void runFile(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        LockScript script = new LockScript();
        List<String> rewritten = new ArrayList<>();
        StringBuilder expected = new StringBuilder();
        StringBuilder actual = new StringBuilder();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                rewritten.add(line);
                i++;
                continue;
            }
            String command = line;
            if (i + 1 >= lines.size() || !lines.get(i + 1).equals("----")) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected ---- after " + command);
            }
            i += 2;
            List<String> want = new ArrayList<>();
            while (i < lines.size() && !lines.get(i).isBlank()) {
                want.add(lines.get(i++));
            }
            String got = script.run(command);
            rewritten.add(command);
            rewritten.add("----");
            rewritten.add(got);
            expected.append(command).append("\n----\n").append(String.join("\n", want)).append("\n\n");
            actual.append(command).append("\n----\n").append(got).append("\n\n");
        }
        if (Boolean.getBoolean("pohmelfs.rewrite")) {
            Files.write(SOURCE.resolve(file.getFileName()), rewritten, StandardCharsets.UTF_8);
            return;
        }
        assertThat(actual.toString()).as(file.getFileName().toString()).isEqualTo(expected.toString());
    }
}
