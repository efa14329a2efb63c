package org.pohmelfs.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectPathTest {

    static void assertInvalid(String path, ErrorCode code) {
        assertThatThrownBy(() -> ObjectPath.parse(path))
                .isInstanceOfSatisfying(ObjectPath.InvalidPathException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void rootAndPlainPaths() {
        assertThat(ObjectPath.parse("/")).isEqualTo(ObjectPath.ROOT);
        assertThat(ObjectPath.ROOT.isRoot()).isTrue();
        assertThat(ObjectPath.ROOT.name()).isEmpty();
        assertThat(ObjectPath.ROOT.toString()).isEqualTo("/");
        ObjectPath p = ObjectPath.parse("/docs/a b/ç.txt");
        assertThat(p.names()).containsExactly("docs", "a b", "ç.txt");
        assertThat(p.depth()).isEqualTo(3);
        assertThat(p.name()).isEqualTo("ç.txt");
        assertThat(p.toString()).isEqualTo("/docs/a b/ç.txt");
        assertThat(ObjectPath.parse("/...").name()).isEqualTo("...");
        assertThat(ObjectPath.parse("/.hidden/..x").names()).containsExactly(".hidden", "..x");
    }

    @Test
    void oneTrailingSlashIsIgnored() {
        assertThat(ObjectPath.parse("/a/b/")).isEqualTo(ObjectPath.parse("/a/b"));
        assertInvalid("/a/b//", ErrorCode.INVALID_PATH);
    }

    @Test
    void aPathMustBeAbsolute() {
        assertInvalid(null, ErrorCode.INVALID_PATH);
        assertInvalid("", ErrorCode.INVALID_PATH);
        assertInvalid("a/b", ErrorCode.INVALID_PATH);
        assertInvalid(" /a", ErrorCode.INVALID_PATH);
        assertInvalid("\\a", ErrorCode.INVALID_PATH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"//", "//a", "/a//b", "/..", "/a/..", "/a/../b", "/.", "/a/./b", "/./",
            "/a\\b", "/..\\..", "/a\u0000b", "/\u0000", "/a\nb", "/a\rb", "/a\tb", "/\u001b[31m", "/\u001f",
            "/\u007f", "/\u0085", "/a\u009bb", "/a\uD800", "/\uD800b", "/\uDC00", "/a\uDC00\uD800b", "/\uD83D/\uDE00"})
    void hostileComponentsAreRefused(String path) {
        assertInvalid(path, ErrorCode.INVALID_PATH);
    }

    @Test
    void surrogatePairsAreFine() {
        assertThat(ObjectPath.parse("/😀/𝄞").names()).containsExactly("😀", "𝄞");
    }

    @Test
    void namesAreLimitedTo255Utf8BytesAfterNormalisation() {
        for (String unit : List.of("a", "é", "日", "😀")) {
            int bytes = utf8(unit);
            String fits = unit.repeat(255 / bytes);
            String over = unit.repeat(255 / bytes + 1);
            assertThat(ObjectPath.parse("/" + fits).name()).as(unit).isEqualTo(fits);
            assertInvalid("/" + over, ErrorCode.NAME_TOO_LONG);
            assertThatThrownBy(() -> ObjectPath.checkName(over)).isInstanceOf(ObjectPath.InvalidPathException.class);
        }
        assertThat(utf8(ObjectPath.parse("/" + "a".repeat(253) + "é").name())).isEqualTo(255);
        assertInvalid("/" + "a".repeat(254) + "é", ErrorCode.NAME_TOO_LONG);
        assertInvalid("/" + "a".repeat(253) + "日", ErrorCode.NAME_TOO_LONG);
    }

    @Test
    void pathsAreLimitedTo4096Bytes() {
        String name = "a".repeat(255);
        String exactly = ("/" + name).repeat(16);
        assertThat(utf8(exactly)).isEqualTo(ObjectPath.MAX_PATH);
        assertThat(ObjectPath.parse(exactly).depth()).isEqualTo(16);
        assertThat(ObjectPath.parse(exactly).toString()).isEqualTo(exactly);
        assertInvalid(exactly + "/b", ErrorCode.NAME_TOO_LONG);
        assertInvalid(exactly.substring(0, 4095) + "é", ErrorCode.NAME_TOO_LONG); // 4097 bytes
    }

    @Test
    void decomposedInputIsNormalisedToNfc() {
        String nfd = "/cafe\u0301/Gru\u0308\u00dfe";
        ObjectPath p = ObjectPath.parse(nfd);
        assertThat(p).isEqualTo(ObjectPath.parse("/caf\u00e9/Gr\u00fc\u00dfe"));
        assertThat(p.hashCode()).isEqualTo(ObjectPath.parse("/caf\u00e9/Gr\u00fc\u00dfe").hashCode());
        assertThat(p.toString()).isEqualTo(Normalizer.normalize(nfd, Normalizer.Form.NFC));
        assertThat(ObjectPath.checkName("A\u030a")).isEqualTo("\u00c5");
        // The name limit applies to the normalised name: 381 bytes of NFD are 254 of NFC.
        String longNfd = "e\u0301".repeat(127);
        assertThat(utf8(longNfd)).isEqualTo(381);
        assertThat(utf8(ObjectPath.parse("/" + longNfd).name())).isEqualTo(254);
    }

    @Test
    void normalisationThatGrowsANameStillRespectsTheNameLimit() {
        // U+0958 is excluded from composition: NFC turns its 3 bytes into 6 (U+0915 U+093C).
        String qa = "\u0958";
        assertThat(utf8(Normalizer.normalize(qa, Normalizer.Form.NFC))).isEqualTo(6);
        assertThat(utf8(ObjectPath.checkName(qa.repeat(42)))).isEqualTo(252);
        assertThatThrownBy(() -> ObjectPath.checkName(qa.repeat(43)))
                .isInstanceOfSatisfying(ObjectPath.InvalidPathException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_TOO_LONG));
    }

    @Test
    void normalisationThatGrowsAPathStillRespectsThePathLimit() {
        // 32 names of 42 x U+0958: 4064 bytes as sent, 8096 once normalised.
        String raw = ("/" + "\u0958".repeat(42)).repeat(32);
        assertThat(utf8(raw)).isLessThanOrEqualTo(ObjectPath.MAX_PATH);
        assertInvalid(raw, ErrorCode.NAME_TOO_LONG);
    }

    @Test
    void childRespectsThePathLimit() {
        ObjectPath full = ObjectPath.parse(("/" + "a".repeat(255)).repeat(16));
        assertThatThrownBy(() -> full.child("b"))
                .isInstanceOfSatisfying(ObjectPath.InvalidPathException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.NAME_TOO_LONG));
        ObjectPath almost = ObjectPath.parse(("/" + "a".repeat(255)).repeat(15));
        assertThat(utf8(almost.child("b".repeat(255)).toString())).isEqualTo(ObjectPath.MAX_PATH);
    }

    @Test
    void parentChildAndStartsWith() {
        ObjectPath ab = ObjectPath.parse("/a/b");
        assertThat(ab.parent()).isEqualTo(ObjectPath.parse("/a"));
        assertThat(ab.parent().parent()).isEqualTo(ObjectPath.ROOT);
        assertThat(ObjectPath.ROOT.parent()).isEqualTo(ObjectPath.ROOT);
        assertThat(ab.parent().child("b")).isEqualTo(ab);
        assertThat(ObjectPath.ROOT.child("cafe\u0301")).isEqualTo(ObjectPath.parse("/caf\u00e9"));
        for (String bad : List.of("", ".", "..", "a/b", "a\\b", "a\u0000", "\uD800")) {
            assertThatThrownBy(() -> ab.child(bad)).as(bad).isInstanceOf(ObjectPath.InvalidPathException.class);
        }
        assertThat(ab.startsWith(ObjectPath.parse("/a"))).isTrue();
        assertThat(ab.startsWith(ab)).isTrue();
        assertThat(ab.startsWith(ObjectPath.ROOT)).isTrue();
        assertThat(ObjectPath.parse("/ab").startsWith(ObjectPath.parse("/a"))).as("by component, not by text")
                .isFalse();
        assertThat(ObjectPath.parse("/a").startsWith(ab)).isFalse();
        assertThat(ObjectPath.ROOT.startsWith(ab)).isFalse();
    }

    @Test
    void theErrorMessageDoesNotEchoControlCharacters() {
        assertThatThrownBy(() -> ObjectPath.parse("x\u001b[2J\nfake log line"))
                .hasMessageNotContaining("\u001b").hasMessageNotContaining("\n");
    }

    @Test
    void ordersByUtf8BytesLikeTheNodesListings() {
        // U+FF5E sorts after U+1F600 in UTF-16 (surrogates are 0xD8xx) but before it in UTF-8.
        ObjectPath bmp = ObjectPath.parse("/\uFF5E");
        ObjectPath astral = ObjectPath.parse("/\uD83D\uDE00");
        assertThat(bmp.compareTo(astral)).isLessThan(0);
        assertThat(List.of(astral, bmp).stream().sorted().toList()).containsExactly(bmp, astral);
        assertThat(ObjectPath.parse("/a").compareTo(ObjectPath.parse("/a/b"))).isLessThan(0);
    }
}
