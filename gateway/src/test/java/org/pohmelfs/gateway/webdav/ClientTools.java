package org.pohmelfs.gateway.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds and runs the real WebDAV client programs (davfs2, cadaver, rclone). A missing program
 * skips the test on a developer machine, but fails it when {@code CI} or
 * {@code POHMELFS_REQUIRE_CLIENTS=1} is set (as {@code .ci/run} does), so CI cannot pass by skipping.
 */
final class ClientTools {
    private ClientTools() {
    }

    record Result(int exit, String output) {
    }

    static boolean required() {
        String ci = System.getenv("CI");
        return "1".equals(System.getenv("POHMELFS_REQUIRE_CLIENTS")) || (ci != null && !ci.isBlank() && !"false".equals(ci));
    }

    /** The absolute path of {@code name} in /usr/bin, /usr/sbin, /sbin, /bin or /usr/local/bin. */
    static Path require(String name) {
        for (String d : List.of("/usr/bin", "/usr/sbin", "/sbin", "/bin", "/usr/local/bin")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String why = name + " is not installed (apt-get install davfs2 cadaver rclone)";
        assertThat(required()).as(why + " and CI/POHMELFS_REQUIRE_CLIENTS asks for every client").isFalse();
        Assumptions.abort(why + "; skipped");
        return null;
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs a command to its end (at most {@code minutes}), stdin from {@code input}, output merged. */
    static Result run(Path workDir, Map<String, String> env, String input, int minutes, String... command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "out", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        try (var stdin = p.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + minutes + " min: "
                    + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
