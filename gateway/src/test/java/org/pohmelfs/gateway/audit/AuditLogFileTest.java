package org.pohmelfs.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/** The audit file: one JSON object per line, everything written by the time it is closed. */
class AuditLogFileTest {
    @Test
    void linesAreJsonAndAllThereOnceClosed() throws Exception {
        Path file = Files.createTempDirectory("audit-file").resolve("audit.jsonl");
        JsonMapper json = JsonMapper.builder().build();
        AuditEntry entry = new AuditEntry("2026-11-29T12:00:00Z", "gw1", "carol", "127.0.0.1", "PUT", "rest", "write",
                "/team/a/x \"q\"\n", "/x \"q\"\n", null, null, 201, 5);
        AuditProperties properties = new AuditProperties(file, DataSize.ofMegabytes(1), 2, DataSize.ofMegabytes(10));
        try (AuditLog log = new AuditLog(properties, "gw1", json)) {
            for (int i = 0; i < 500; i++) {
                log.write(entry);
            }
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(500);
        assertThat(json.readValue(lines.getFirst(), AuditEntry.class)).isEqualTo(entry);
    }
}
