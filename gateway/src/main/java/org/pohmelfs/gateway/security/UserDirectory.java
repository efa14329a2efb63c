package org.pohmelfs.gateway.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.pohmelfs.gateway.config.GatewayProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current {@link Directory}: the configured users plus the users file, re-read when its
 * bytes change (checked every {@code reload-interval}; the CLI replaces the file by a rename,
 * so a reader never sees half a file). A file that does not parse keeps the last good
 * directory and logs why, once per broken version.
 */
public final class UserDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalLog.LOGGER);

    private final List<GatewayProperties.User> configured;
    private final Path file;
    private final boolean allowNoop;
    private final AtomicReference<Directory> current = new AtomicReference<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private byte[] lastBytes;
    private ScheduledExecutorService poller;

    public UserDirectory(GatewayProperties.Auth auth) {
        this.configured = auth.users();
        this.file = auth.usersFile();
        this.allowNoop = auth.allowNoopPasswords();
        current.set(Directory.of(configured, UsersFile.EMPTY, allowNoop, LOG::warn));
        reload();
    }

    public Directory current() {
        return current.get();
    }

    /** Runs {@code listener} after every change of the directory. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Polls the users file every {@code interval} (on one daemon thread). */
    public synchronized void start(Duration interval) {
        if (file == null || poller != null) {
            return;
        }
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "users-file");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(10, interval.toMillis());
        poller.scheduleWithFixedDelay(this::reload, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Re-reads the users file if its bytes changed; returns whether the directory changed. */
    public synchronized boolean reload() {
        if (file == null) {
            return false;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            bytes = new byte[0];
        } catch (IOException | RuntimeException e) {
            LOG.warn("users file {}: cannot read it ({}); keeping the last good one", file, e.toString());
            return false;
        }
        if (lastBytes != null && Arrays.equals(bytes, lastBytes)) {
            return false;
        }
        lastBytes = bytes;
        try {
            UsersFile parsed = bytes.length == 0 ? UsersFile.EMPTY : UsersFile.parse(bytes);
            current.set(Directory.of(configured, parsed, allowNoop, LOG::warn));
            LOG.info("users file {}: {} users, {} tokens", file, parsed.users().size(), parsed.tokens().size());
        } catch (RuntimeException e) {
            LOG.warn("users file {} is broken, keeping the last good one: {}", file, e.getMessage());
            return false;
        }
        listeners.forEach(Runnable::run);
        return true;
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }
}
