package org.pohmelfs.gateway.webdav.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IfHeaderTest {
    static final String T = "opaquelocktoken:abc";
    static final IfHeader.State LOCKED = new IfHeader.State("\"e1\"", Set.of(T));

    static boolean eval(String header, IfHeader.State state) {
        return IfHeader.parse(header).evaluate(tag -> state);
    }

    /** The litmus locks suite's headers, against a resource locked with T whose ETag is "e1". */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "(<opaquelocktoken:abc>)|true",
            "(<opaquelocktoken:abc> [\"e1\"])|true",
            "(<DAV:no-lock> [\"e1\"])|false",
            "(<opaquelocktoken:abc>) (Not <DAV:no-lock>)|true",
            "(<opaquelocktoken:abcx>) (Not <DAV:no-lock>)|true",
            "(<opaquelocktoken:abc> [\"e2\"]) (Not <DAV:no-lock> [\"e2\"])|false",
            "(<opaquelocktoken:abc> [W/\"e1\"])|true",
            "(Not <opaquelocktoken:abc>)|false",
            "(<DAV:no-lock>)|false",
    })
    void evaluatesLikeRfc4918(String header, boolean expected) {
        assertThat(eval(header, LOCKED)).isEqualTo(expected);
    }

    @Test
    void taggedListsAreEvaluatedAgainstTheirResource() {
        IfHeader h = IfHeader.parse("<http://h/dav/a> (<" + T + ">) <http://h/dav/b> ([\"e9\"])");
        assertThat(h.resources()).containsExactly("http://h/dav/a", "http://h/dav/b");
        Map<String, IfHeader.State> states = Map.of("http://h/dav/a", new IfHeader.State(null, Set.of()),
                "http://h/dav/b", new IfHeader.State("\"e9\"", Set.of()));
        assertThat(h.evaluate(states::get)).as("second list true").isTrue();
        assertThat(h.tokens()).containsExactly(T);
    }

    @Test
    void tokensAreEveryStateTokenButNoLock() {
        assertThat(IfHeader.parse("(<a:1> [\"x\"]) (Not <DAV:no-lock>) (<a:2>) (<a:1>)").tokens())
                .containsExactly("a:1", "a:2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "<a:1>", "(<a:1>", "(a:1)", "()", "(Not)", "([\"x\")", "(<a:1>) <http://x> (<a:2>)",
            "(< >)", "garbage"})
    void malformedHeadersAreRefused(String header) {
        assertThatThrownBy(() -> IfHeader.parse(header)).isInstanceOf(IfHeader.Malformed.class);
    }

    @Test
    void aHostileNumberOfConditionsIsRefused() {
        String many = "(" + "<a:1> ".repeat(IfHeader.MAX_CONDITIONS + 1) + ")";
        assertThatThrownBy(() -> IfHeader.parse(many)).isInstanceOf(IfHeader.Malformed.class);
    }
}
