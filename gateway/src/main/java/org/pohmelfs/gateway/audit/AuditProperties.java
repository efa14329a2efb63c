package org.pohmelfs.gateway.audit;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The audit log ({@code pohmelfs.gateway.audit.*}): one JSON line per change made through this
 * gateway (docs/security.md, "Confinement and audit").
 *
 * @param file        where the lines go; unset: no audit log. Rotated daily and by size; old files
 *                    are named {@code FILE.yyyy-MM-dd.N.gz}
 * @param maxFileSize a file is rotated when it grows past this
 * @param maxHistory  how many days of rotated files are kept
 * @param totalSizeCap the rotated files together are kept below this (oldest deleted first)
 */
@ConfigurationProperties("pohmelfs.gateway.audit")
public record AuditProperties(Path file, @DefaultValue("100MB") DataSize maxFileSize,
                              @DefaultValue("90") int maxHistory, @DefaultValue("10GB") DataSize totalSizeCap) {
}
