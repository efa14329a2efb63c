package org.pohmelfs.gateway.testing;

/** Arguments for storage-node processes started from this module's tests. */
public final class NodeArgs {
    /**
     * The node processes run on this module's test class path, which has Spring Security (the
     * gateway's); a node's own jar does not, and serves {@code /actuator/prometheus} openly.
     * Without this argument a scrape of a node gets 401 with an empty body.
     */
    public static final String NO_TEST_CLASSPATH_SECURITY = "--spring.autoconfigure.exclude="
            + "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration";

    private NodeArgs() {
    }
}
