package org.pohmelfs.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import org.pohmelfs.gateway.GatewayApplication;

/**
 * The main class of a {@link GatewayProcess}: the gateway, plus a watch on the parent. The
 * parent holds the write end of this process's standard input and never writes to it; when
 * the parent dies in any way (a test JVM that ends, crashes or is killed by a timeout, even
 * with SIGKILL) the pipe closes, the read here ends, and this process halts at once. So no
 * gateway outlives the tests that started it.
 */
public final class GatewayChild {
    /** The exit status when the parent went away. */
    static final int ORPHANED = 3;

    private GatewayChild() {
    }

    public static void main(String[] args) {
        Thread watch = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // the parent writes nothing; anything read is ignored
                }
            } catch (IOException e) {
                // a broken pipe: the parent is gone as well
            }
            Runtime.getRuntime().halt(ORPHANED);
        }, "parent-watch");
        watch.setDaemon(true);
        watch.start();
        GatewayApplication.main(args);
    }
}
