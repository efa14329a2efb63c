package org.pohmelfs.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Collects the formatted log lines (level and message) of one logger and its children while
 * open, for tests that check what a refusal says. Safe to read while event-loop threads log.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger logger;

    private LogCapture(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    }

    /** Starts capturing {@code loggerName} (e.g. "org.pohmelfs") at WARN and above. */
    public static LogCapture of(String loggerName) {
        LogCapture c = new LogCapture(loggerName);
        c.setContext(c.logger.getLoggerContext());
        c.start();
        c.logger.addAppender(c);
        if (c.logger.getEffectiveLevel().toInt() > Level.WARN.toInt()) {
            c.logger.setLevel(Level.WARN);
        }
        return c;
    }

    @Override
    protected void append(ILoggingEvent event) {
        lines.add(event.getLevel() + " " + event.getLoggerName() + " " + event.getFormattedMessage());
    }

    /** The lines so far, "LEVEL logger message". */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
