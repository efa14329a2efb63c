package org.pohmelfs.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pohmelfs.protocol.ChecksumAlgorithm.CRC32C;
import static org.pohmelfs.protocol.ChecksumAlgorithm.NONE;
import static org.pohmelfs.protocol.ChecksumAlgorithm.SHA256;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HandshakeTest {
    static final Handshake.NodeIdentity NODE =
            new Handshake.NodeIdentity("node-7", 77, "prod", 12, Set.of("locks", "push", "xattr"));
    static final NodeInfo INFO = new NodeInfo(100, 40, 60, 5, 0, false);
    static final int MIB = 1024 * 1024;

    static LinkPolicy policy(boolean requireTls, int maxFrame, ChecksumAlgorithm... checksums) {
        return new LinkPolicy(List.of(checksums), requireTls, maxFrame);
    }

    static Message.Hello hello(int min, int max, String cluster, boolean tls, int maxFrame, Set<String> features,
                               ChecksumAlgorithm... checksums) {
        return new Message.Hello(min, max, "gw-1", 5, cluster, List.of(checksums), maxFrame, tls, features);
    }

    static Message.Hello hello(ChecksumAlgorithm... checksums) {
        return hello(1, 1, "prod", false, 4 * MIB, Set.of(), checksums);
    }

    static Message.Welcome accepted(Handshake.Decision d) {
        assertThat(d).isInstanceOf(Handshake.Decision.Accept.class);
        return ((Handshake.Decision.Accept) d).welcome();
    }

    static String refused(Handshake.Decision d) {
        assertThat(d).isInstanceOf(Handshake.Decision.Refuse.class);
        Message.ConnectionError e = ((Handshake.Decision.Refuse) d).error();
        assertThat(e.code()).isEqualTo(ErrorCode.HANDSHAKE_REFUSED);
        return e.message();
    }

    @Nested
    class Accept {
        @Test
        void aMatchingHelloIsWelcomedWithWhatWasAgreed() {
            Message.Welcome w = accepted(Handshake.accept(LinkPolicy.defaults(), NODE, INFO,
                    hello(1, 1, "prod", false, 8 * MIB, Set.of("locks", "zstd"), CRC32C), false));
            assertThat(w).isEqualTo(new Message.Welcome(1, "node-7", 77, "prod", CRC32C, 4 * MIB, 12, INFO,
                    Set.of("locks")));
        }

        @Test
        void versionRangesMustOverlap() {
            assertThat(refused(Handshake.accept(LinkPolicy.defaults(), NODE, INFO,
                    hello(2, 5, "prod", false, 4 * MIB, Set.of(), CRC32C), false)))
                    .contains("protocol version").contains("2..5").contains("1..1").contains("node-7");
            assertThat(refused(Handshake.accept(LinkPolicy.defaults(), NODE, INFO,
                    hello(0, 0, "prod", false, 4 * MIB, Set.of(), CRC32C), false))).contains("0..0");
            assertThat(refused(Handshake.accept(LinkPolicy.defaults(), NODE, INFO,
                    hello(3, 1, "prod", false, 4 * MIB, Set.of(), CRC32C), false))).contains("protocol version");
        }

        @Test
        void theHighestCommonVersionIsChosen() {
            assertThat(accepted(Handshake.accept(LinkPolicy.defaults(), NODE, INFO,
                    hello(0, 9, "prod", false, 4 * MIB, Set.of(), CRC32C), false)).version())
                    .isEqualTo(Handshake.MAX_VERSION);
            assertThat(accepted(Handshake.accept(LinkPolicy.defaults(), NODE, INFO,
                    hello(1, 1, "prod", false, 4 * MIB, Set.of(), CRC32C), false)).version()).isEqualTo(1);
        }

        @Test
        void theClusterNameMustMatchExactly() {
            assertThat(refused(Handshake.accept(LinkPolicy.defaults(), NODE, INFO,
                    hello(1, 1, "Prod", false, 4 * MIB, Set.of(), CRC32C), false)))
                    .contains("cluster name").contains("'Prod'").contains("'prod'");
        }

        @Test
        void aNodeRequiringTlsRefusesPlaintext() {
            assertThat(refused(Handshake.accept(policy(true, 4 * MIB, CRC32C), NODE, INFO, hello(CRC32C), false)))
                    .contains("TLS").contains("requires TLS").contains("plaintext");
            accepted(Handshake.accept(policy(true, 4 * MIB, CRC32C), NODE, INFO,
                    hello(1, 1, "prod", true, 4 * MIB, Set.of(), CRC32C), true));
        }

        @Test
        void bothSidesMustSeeTheSameTls() {
            // The client believes TLS is on, the node sees plaintext: something is in between.
            assertThat(refused(Handshake.accept(LinkPolicy.defaults(), NODE, INFO,
                    hello(1, 1, "prod", true, 4 * MIB, Set.of(), CRC32C), false)))
                    .contains("believes TLS is on").contains("sees it off");
            assertThat(refused(Handshake.accept(LinkPolicy.defaults(), NODE, INFO, hello(CRC32C), true)))
                    .contains("believes TLS is off").contains("sees it on");
        }

        @Test
        void theClientsPreferenceOrderDecides() {
            LinkPolicy node = policy(false, 4 * MIB, CRC32C, SHA256);
            assertThat(accepted(Handshake.accept(node, NODE, INFO, hello(SHA256, CRC32C), false)).checksum())
                    .isEqualTo(SHA256);
            assertThat(accepted(Handshake.accept(node, NODE, INFO, hello(CRC32C, SHA256), false)).checksum())
                    .isEqualTo(CRC32C);
            // Algorithms only one side accepts are skipped.
            assertThat(accepted(Handshake.accept(policy(false, 4 * MIB, SHA256), NODE, INFO,
                    hello(CRC32C, SHA256), false)).checksum()).isEqualTo(SHA256);
        }

        @Test
        void aRefusedChecksumNamesWhatEachSideAccepts() {
            String why = refused(Handshake.accept(policy(false, 4 * MIB, SHA256), NODE, INFO, hello(CRC32C), false));
            assertThat(why).contains("checksum algorithm").contains("[CRC32C]").contains("SHA256").contains("node-7");
            why = refused(Handshake.accept(LinkPolicy.defaults(), NODE, INFO, hello(SHA256), false));
            assertThat(why).contains("[SHA256]").contains("[CRC32C]");
        }

        @Test
        void noneIsOnlyChosenOverTls() {
            LinkPolicy lax = policy(false, 4 * MIB, NONE, CRC32C);
            assertThat(accepted(Handshake.accept(lax, NODE, INFO,
                    hello(1, 1, "prod", true, 4 * MIB, Set.of(), NONE, CRC32C), true)).checksum()).isEqualTo(NONE);
            // Over plaintext NONE is passed over for the next one both accept...
            assertThat(accepted(Handshake.accept(lax, NODE, INFO, hello(NONE, CRC32C), false)).checksum())
                    .isEqualTo(CRC32C);
            // ...and when nothing else is left the refusal says why.
            assertThat(refused(Handshake.accept(lax, NODE, INFO, hello(NONE), false)))
                    .contains("[NONE]").contains("NONE only over TLS");
        }

        @Test
        void theFrameLimitIsTheSmallerOfBothAndNotBelowTheMinimum() {
            LinkPolicy node = policy(false, 2 * MIB, CRC32C);
            assertThat(accepted(Handshake.accept(node, NODE, INFO,
                    hello(1, 1, "prod", false, 8 * MIB, Set.of(), CRC32C), false)).maxFrame()).isEqualTo(2 * MIB);
            assertThat(accepted(Handshake.accept(node, NODE, INFO,
                    hello(1, 1, "prod", false, LinkPolicy.MIN_FRAME, Set.of(), CRC32C), false)).maxFrame())
                    .isEqualTo(LinkPolicy.MIN_FRAME);
            assertThat(refused(Handshake.accept(node, NODE, INFO,
                    hello(1, 1, "prod", false, LinkPolicy.MIN_FRAME - 1, Set.of(), CRC32C), false)))
                    .contains("max frame").contains(String.valueOf(LinkPolicy.MIN_FRAME - 1));
            assertThat(refused(Handshake.accept(node, NODE, INFO,
                    hello(1, 1, "prod", false, -1, Set.of(), CRC32C), false))).contains("max frame");
        }

        @Test
        void featuresAreTheIntersection() {
            assertThat(accepted(Handshake.accept(LinkPolicy.defaults(), NODE, INFO,
                    hello(1, 1, "prod", false, 4 * MIB, Set.of("push", "xattr", "quantum"), CRC32C), false))
                    .features()).containsExactlyInAnyOrder("push", "xattr");
            assertThat(accepted(Handshake.accept(LinkPolicy.defaults(), NODE, INFO, hello(CRC32C), false))
                    .features()).isEmpty();
        }
    }

    @Nested
    class Check {
        final LinkPolicy client = policy(false, 4 * MIB, CRC32C, SHA256);
        final Message.Hello hello = hello(1, 1, "prod", false, 4 * MIB, Set.of("locks"), CRC32C, SHA256);

        Message.Welcome welcome(int version, String cluster, ChecksumAlgorithm checksum, int maxFrame) {
            return new Message.Welcome(version, "node-7", 77, cluster, checksum, maxFrame, 12, INFO, Set.of("locks"));
        }

        @Test
        void whatTheNodeAcceptsPassesTheClientsCheck() {
            Message.Welcome w = accepted(Handshake.accept(LinkPolicy.defaults(), NODE, INFO, hello, false));
            assertThat(Handshake.check(client, hello, w)).isNull();
        }

        @Test
        void theVersionMustBeInTheClientsRange() {
            assertThat(Handshake.check(client, hello, welcome(2, "prod", CRC32C, MIB))).contains("version 2");
            assertThat(Handshake.check(client, hello, welcome(0, "prod", CRC32C, MIB))).contains("version 0");
        }

        @Test
        void theClusterMustMatch() {
            assertThat(Handshake.check(client, hello, welcome(1, "test", CRC32C, MIB)))
                    .contains("'test'").contains("'prod'");
        }

        @Test
        void theChecksumMustBeOneTheClientAccepts() {
            assertThat(Handshake.check(policy(false, 4 * MIB, SHA256), hello, welcome(1, "prod", CRC32C, MIB)))
                    .contains("chose CRC32C").contains("[SHA256]");
        }

        @Test
        void noneIsRefusedOnPlaintextEvenIfTheClientListsIt() {
            LinkPolicy lax = policy(false, 4 * MIB, NONE, CRC32C);
            assertThat(Handshake.check(lax, hello, welcome(1, "prod", NONE, MIB))).contains("NONE").contains("plaintext");
            Message.Hello overTls = hello(1, 1, "prod", true, 4 * MIB, Set.of(), NONE);
            assertThat(Handshake.check(lax, overTls, welcome(1, "prod", NONE, MIB))).isNull();
        }

        @Test
        void theFrameLimitMustBeWithinTheClientsBounds() {
            assertThat(Handshake.check(client, hello, welcome(1, "prod", CRC32C, 4 * MIB))).isNull();
            assertThat(Handshake.check(client, hello, welcome(1, "prod", CRC32C, 4 * MIB + 1))).contains("max frame");
            assertThat(Handshake.check(client, hello, welcome(1, "prod", CRC32C, LinkPolicy.MIN_FRAME))).isNull();
            assertThat(Handshake.check(client, hello, welcome(1, "prod", CRC32C, LinkPolicy.MIN_FRAME - 1)))
                    .contains("max frame");
        }

        @Test
        void aClientRequiringTlsRefusesAPlaintextConnection() {
            assertThat(Handshake.check(policy(true, 4 * MIB, CRC32C), hello, welcome(1, "prod", CRC32C, MIB)))
                    .contains("TLS");
        }
    }

    @Nested
    class Policy {
        @Test
        void aPolicyNeedsAChecksumAndAUsableFrameLimit() {
            assertThatThrownBy(() -> policy(false, 4 * MIB)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> policy(false, LinkPolicy.MIN_FRAME - 1, CRC32C))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(LinkPolicy.defaults()).isEqualTo(policy(false, 4 * MIB, CRC32C));
        }
    }
}
