package org.pohmelfs.gateway.audit;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes {@link AuditEntry} lines (JSON, one per line) to the audit file, rotated by Logback's
 * {@link RollingFileAppender} (daily and by size, gzipped, with a history limit).
 *
 * <p>How it works: the log has a Logback {@link LoggerContext} of its own, configured here in
 * code, not the application's: Spring Boot resets the application's context whenever a gateway
 * starts (two gateways in one test JVM would remove each other's appenders), and the audit
 * lines must not follow the application's log levels or patterns. An {@link AsyncAppender}
 * (which never discards: {@code discardingThreshold} 0) keeps the file writes off the event
 * loop; {@link #close} drains it.
 */
public final class AuditLog implements AutoCloseable {
    private final LoggerContext context = new LoggerContext();
    private final Logger logger;
    private final JsonMapper json;

    public AuditLog(AuditProperties properties, String gatewayId, JsonMapper json) {
        this.json = json;
        context.setName("pohmelfs-audit-" + gatewayId);
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        // a line that cannot be written (disk full, file removed) is told on the console, not lost silently
        ch.qos.logback.core.status.OnErrorConsoleStatusListener errors =
                new ch.qos.logback.core.status.OnErrorConsoleStatusListener();
        errors.setContext(context);
        errors.start();
        context.getStatusManager().add(errors);
        context.start();
        String file = properties.file().toAbsolutePath().toString();

        RollingFileAppender<ILoggingEvent> rolling = new RollingFileAppender<>();
        rolling.setContext(context);
        rolling.setName("audit-file");
        rolling.setFile(file);
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(rolling);
        policy.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
        policy.setMaxFileSize(new FileSize(properties.maxFileSize().toBytes()));
        policy.setMaxHistory(properties.maxHistory());
        policy.setTotalSizeCap(new FileSize(properties.totalSizeCap().toBytes()));
        policy.start();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        rolling.setRollingPolicy(policy);
        rolling.setEncoder(encoder);
        rolling.start();

        AsyncAppender async = new AsyncAppender();
        async.setContext(context);
        async.setName("audit");
        async.setDiscardingThreshold(0);
        async.setQueueSize(8192);
        async.addAppender(rolling);
        async.start();

        logger = context.getLogger("pohmelfs.audit");
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        logger.addAppender(async);
    }

    public void write(AuditEntry entry) {
        logger.info(json.writeValueAsString(entry));
    }

    /** Writes what is queued and closes the file. */
    @Override
    public void close() {
        context.stop();
    }
}
