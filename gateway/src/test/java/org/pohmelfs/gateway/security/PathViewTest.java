package org.pohmelfs.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.http.PathCodec;
import org.pohmelfs.protocol.ObjectPath;

class PathViewTest {
    final PathView team = new PathView(ObjectPath.parse("/team/a"));

    @Test
    void viewPathsLandBelowTheRoot() {
        assertThat(team.inward(ObjectPath.ROOT)).isEqualTo(ObjectPath.parse("/team/a"));
        assertThat(team.inward(ObjectPath.parse("/x/y"))).isEqualTo(ObjectPath.parse("/team/a/x/y"));
        assertThat(team.inward(ObjectPath.parse("/team/b"))).isEqualTo(ObjectPath.parse("/team/a/team/b"));
    }

    @Test
    void realPathsGoBackOutRelativeToTheRoot() {
        assertThat(team.toView(ObjectPath.parse("/team/a/x"))).contains(ObjectPath.parse("/x"));
        assertThat(team.toView(ObjectPath.parse("/team/a"))).contains(ObjectPath.ROOT);
        assertThat(team.toView(ObjectPath.parse("/team/ab"))).isEmpty();
        assertThat(team.toView(ObjectPath.parse("/team"))).isEmpty();
        assertThat(team.outward(ObjectPath.parse("/team"))).as("a lock above the view shows as its top")
                .isEqualTo(ObjectPath.ROOT);
        assertThat(team.isTop(ObjectPath.parse("/team/a"))).isTrue();
        assertThat(team.isTop(ObjectPath.parse("/team/a/x"))).isFalse();
    }

    @Test
    void theWholeTreeIsTheIdentity() {
        ObjectPath p = ObjectPath.parse("/a/b");
        assertThat(PathView.WHOLE.inward(p)).isEqualTo(p);
        assertThat(PathView.WHOLE.outward(p)).isEqualTo(p);
        assertThat(PathView.of(Account.ANONYMOUS)).isEqualTo(PathView.WHOLE);
        assertThat(PathView.of(new Account("c", false, false, ObjectPath.parse("/c"))).root())
                .isEqualTo(ObjectPath.parse("/c"));
    }

    @Test
    void roundTrips() {
        for (String s : new String[] {"/", "/x", "/x/y z/é", "/..." , "/a."}) {
            ObjectPath v = ObjectPath.parse(s);
            assertThat(team.toView(team.inward(v))).contains(v);
        }
    }

    @Test
    void noRawPathTrickClimbsOutOfTheView() {
        // every trick either fails to decode, or decodes to a name that stays below the root
        String[] tricks = {"/..", "/../b", "/a/../../b", "/%2e%2e/b", "/%2E%2E", "/.%2e/b", "/a%2f..%2f..",
            "/a%5c..", "/%252e%252e/b", "/%c0%ae%c0%ae/b", "/./b", "/a//b", "/%00", "/..%00"};
        for (String raw : tricks) {
            try {
                ObjectPath real = team.inward(PathCodec.decode(raw));
                assertThat(real.startsWith(team.root())).as(raw).isTrue();
                assertThat(real.names()).as(raw).doesNotContain("..", ".");
            } catch (ObjectPath.InvalidPathException refused) {
                // refused before it could name anything
            }
        }
        assertThatThrownBy(() -> PathCodec.decode("/%2e%2e/b")).isInstanceOf(ObjectPath.InvalidPathException.class);
        assertThat(team.inward(PathCodec.decode("/%252e%252e/b")))
                .as("double-encoding decodes once: a name '%2e%2e', not '..'")
                .isEqualTo(ObjectPath.parse("/team/a/%2e%2e/b"));
    }

    @Test
    void unicodeNormalisationCannotNameAnotherPath() {
        // NFD "é" and NFC "é" are one name, below the root either way
        ObjectPath nfd = PathCodec.decode("/e%CC%81");
        assertThat(team.inward(nfd)).isEqualTo(ObjectPath.parse("/team/a/\u00e9"));
        // a fullwidth full stop pair is a name, not ".."
        assertThat(team.inward(PathCodec.decode("/%EF%BC%8E%EF%BC%8E")).parent()).isEqualTo(team.root());
    }

    @Test
    void messagesNameOnlyViewPaths() {
        assertThat(team.hide("not found: /team/a/x/y")).isEqualTo("not found: /x/y");
        assertThat(team.hide("/team/a is a directory")).isEqualTo("/ is a directory");
        assertThat(team.hide("'/team/a': exists")).isEqualTo("'/': exists");
        assertThat(team.hide("/team/abc is a directory")).as("another name that starts alike")
                .isEqualTo("/team/abc is a directory");
        assertThat(team.hide("cannot move /team/a/x/team/a/y to /team/a/team/a")).as("only where a path starts")
                .isEqualTo("cannot move /x/team/a/y to /team/a");
        assertThat(PathView.WHOLE.hide("not found: /team/a/x")).isEqualTo("not found: /team/a/x");
    }
}
