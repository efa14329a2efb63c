package org.pohmelfs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.config.GatewayProperties;

/** The failed-login counters, on a hand-stepped clock. */
class LoginThrottleTest {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final LoginThrottle throttle = new LoginThrottle(
            new GatewayProperties.Throttle(Duration.ofMinutes(1), 3, 5, 6, 1000), nanos::get);

    void step(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    void fail(String address, String user, int times) {
        for (int i = 0; i < times; i++) {
            throttle.failed(address, user);
        }
    }

    @Test
    void aPairIsRefusedAfterItsLimitUntilTheWindowEnds() {
        fail("10.0.0.1", "alice", 2);
        assertThat(throttle.refusedFor("10.0.0.1", "alice")).isEmpty();
        step(Duration.ofSeconds(20));
        fail("10.0.0.1", "alice", 1);
        assertThat(throttle.refusedFor("10.0.0.1", "alice")).contains(Duration.ofSeconds(40));
        assertThat(throttle.refusedFor("10.0.0.2", "alice")).as("another address").isEmpty();
        assertThat(throttle.refusedFor("10.0.0.1", "bob")).as("another user").isEmpty();
        step(Duration.ofSeconds(40));
        assertThat(throttle.refusedFor("10.0.0.1", "alice")).isEmpty();
    }

    @Test
    void aUserIsRefusedEverywhereAtTheHigherLimit() {
        fail("10.0.0.1", "alice", 2);
        fail("10.0.0.2", "alice", 2);
        fail("10.0.0.3", "alice", 1);
        assertThat(throttle.refusedFor("10.0.0.9", "alice")).isPresent();
        assertThat(throttle.refusedFor("10.0.0.9", "bob")).isEmpty();
    }

    @Test
    void anAddressIsRefusedForEveryUserAtItsLimit() {
        for (int i = 0; i < 6; i++) {
            throttle.failed("10.0.0.1", "user" + i);
        }
        assertThat(throttle.refusedFor("10.0.0.1", "carol")).isPresent();
        assertThat(throttle.refusedFor("10.0.0.1", null)).as("a bearer token from there").isPresent();
        assertThat(throttle.refusedFor("10.0.0.2", "carol")).isEmpty();
    }

    @Test
    void unknownUsersCountForTheAddressOnly() {
        fail("10.0.0.1", null, 5);
        assertThat(throttle.refusedFor("10.0.0.1", "alice")).isEmpty();
        fail("10.0.0.1", null, 1);
        assertThat(throttle.refusedFor("10.0.0.1", "alice")).isPresent();
    }

    @Test
    void successClearsItsOwnPairOnly() {
        fail("10.0.0.1", "alice", 2);
        fail("10.0.0.1", "mallory", 3);
        throttle.succeeded("10.0.0.1", "mallory");
        assertThat(throttle.refusedFor("10.0.0.1", "mallory")).isEmpty();
        fail("10.0.0.1", "alice", 1);
        assertThat(throttle.refusedFor("10.0.0.1", "alice")).as("alice's pair kept its count").isPresent();
        // the address saw 6 failures: mallory's success did not wipe them
        assertThat(throttle.refusedFor("10.0.0.1", "mallory2")).isPresent();
    }

    @Test
    void memoryStaysBounded() {
        LoginThrottle small = new LoginThrottle(
                new GatewayProperties.Throttle(Duration.ofMinutes(1), 3, 5, 6, 10), nanos::get);
        for (int i = 0; i < 1000; i++) {
            small.failed("10.0." + (i / 256) + "." + (i % 256), "u" + i);
        }
        assertThat(small.size()).isLessThanOrEqualTo(30);
    }

    @Test
    void countersExpireWithTheirWindow() {
        fail("10.0.0.1", "alice", 3);
        step(Duration.ofSeconds(61));
        fail("10.0.0.1", "alice", 2);
        assertThat(throttle.refusedFor("10.0.0.1", "alice")).as("a new window").isEqualTo(Optional.empty());
    }
}
