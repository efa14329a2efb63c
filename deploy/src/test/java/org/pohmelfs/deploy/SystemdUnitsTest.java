package org.pohmelfs.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The systemd units and their environment files ({@code deploy/systemd}): every variable names a
 * real property (the generated {@code docs/configuration.md} lists each one's variable), the unit
 * reads the file its install notes put in place, and {@code systemd-analyze verify} accepts it.
 */
class SystemdUnitsTest {
    static final Path DIR = Path.of("..", "deploy", "systemd");
    private static final Pattern VARIABLE = Pattern.compile("(?m)^#?(POHMELFS_[A-Z0-9_]+)=");

    @ParameterizedTest
    @ValueSource(strings = {"node", "gateway"})
    void everyVariableOfTheEnvironmentFileIsAProperty(String unit) throws IOException {
        String reference = Files.readString(Path.of("..", "docs", "configuration.md"));
        String env = Files.readString(DIR.resolve("pohmelfs-" + unit + ".env"));
        Matcher m = VARIABLE.matcher(env);
        int count = 0;
        while (m.find()) {
            // a list element's field (AUTH_USERS_0_NAME) belongs to the list's property (AUTH_USERS)
            String name = m.group(1).replaceAll("_\\d+_[A-Z]+$", "");
            assertThat(reference).as(m.group(1)).contains("`" + name + "`");
            count++;
        }
        assertThat(count).isGreaterThanOrEqualTo(6);
        assertThat(env).contains("POHMELFS_" + unit.toUpperCase() + "_ZOOKEEPER_CONNECT=", "SERVER_PORT=");
    }

    @ParameterizedTest
    @ValueSource(strings = {"node", "gateway"})
    void theUnitReadsTheFileItsInstallNotesPutInPlace(String unit) throws IOException {
        String service = Files.readString(DIR.resolve("pohmelfs-" + unit + ".service"));
        assertThat(service).contains("EnvironmentFile=/etc/pohmelfs/" + unit + ".env")
                .contains("pohmelfs-" + unit + ".env /etc/pohmelfs/" + unit + ".env")
                .containsPattern("ExecStart=/usr/bin/java \\$JAVA_OPTS -jar /opt/pohmelfs/pohmelfs-(storage-node|gateway)\\.jar")
                .contains("User=pohmelfs", "Restart=on-failure", "SuccessExitStatus=143");
    }

    /**
     * The gateway's environment file shows the security settings (commented), and the audit file it
     * suggests lies in the folder the unit makes writable (ProtectSystem=strict leaves /var read-only).
     */
    @org.junit.jupiter.api.Test
    void theGatewayEnvironmentShowsTheSecuritySettingsAndTheAuditFolderIsWritable() throws IOException {
        String env = Files.readString(DIR.resolve("pohmelfs-gateway.env"));
        assertThat(env).contains("#POHMELFS_GATEWAY_TLS_CERTIFICATE=", "#POHMELFS_GATEWAY_AUTH_ENABLED=true",
                "#POHMELFS_GATEWAY_AUTH_USERSFILE=", "#POHMELFS_GATEWAY_AUTH_TRUSTEDPROXIES=",
                "#POHMELFS_GATEWAY_AUDIT_FILE=", "#POHMELFS_GATEWAY_HTTPS_CERTIFICATE=");
        Matcher audit = Pattern.compile("(?m)^#POHMELFS_GATEWAY_AUDIT_FILE=(/var/log/([^/]+)/\\S+)$").matcher(env);
        assertThat(audit.find()).isTrue();
        String service = Files.readString(DIR.resolve("pohmelfs-gateway.service"));
        assertThat(service).contains("ProtectSystem=strict").contains("LogsDirectory=" + audit.group(2) + "\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"node", "gateway"})
    void systemdAcceptsTheUnit(String unit) throws IOException, InterruptedException {
        boolean present = Files.isExecutable(Path.of("/usr/bin/systemd-analyze"));
        Assumptions.assumeTrue(present, "systemd-analyze is not installed");
        Process p = new ProcessBuilder(List.of("/usr/bin/systemd-analyze", "verify",
                DIR.resolve("pohmelfs-" + unit + ".service").toAbsolutePath().toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).as(out).doesNotContainIgnoringCase("unknown").doesNotContainIgnoringCase("invalid");
    }
}
