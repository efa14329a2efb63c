package org.pohmelfs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The stored form against fixtures: byte-exact output, tolerant of added fields, strict otherwise. */
class ClusterMapJsonTest {
    private static final ClusterMap SEVEN = new ClusterMap(7, List.of(
            new Member("node1", "127.0.0.1", 7070, MemberState.OUT),
            new Member("node2", "127.0.0.1", 7071, MemberState.IN_SYNC),
            new Member("node3", "127.0.0.1", 7072, MemberState.RESYNCING)), "node2");

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = ClusterMapJsonTest.class.getResourceAsStream("/cluster/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void encodesToTheFixtureByteForByte() throws IOException {
        assertThat(new String(ClusterMapJson.encode(SEVEN), StandardCharsets.UTF_8))
                .isEqualTo(new String(fixture("map-v1.json"), StandardCharsets.UTF_8));
        assertThat(ClusterMapJson.decode(fixture("map-v1.json"))).isEqualTo(SEVEN);
    }

    @Test
    void ignoresFieldsItDoesNotKnow() throws IOException {
        assertThat(ClusterMapJson.decode(fixture("map-v1-extra-fields.json"))).isEqualTo(
                new ClusterMap(12, List.of(new Member("a", "10.0.0.1", 7070, MemberState.IN_SYNC)), "a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "[]",
        "{\"format\":2,\"epoch\":1,\"authority\":\"a\",\"members\":[{\"id\":\"a\",\"host\":\"h\",\"port\":1,\"state\":\"IN_SYNC\"}]}",
        "{\"epoch\":1,\"authority\":\"a\",\"members\":[{\"id\":\"a\",\"host\":\"h\",\"port\":1,\"state\":\"IN_SYNC\"}]}",
        "{\"format\":1,\"epoch\":\"1\",\"authority\":\"a\",\"members\":[{\"id\":\"a\",\"host\":\"h\",\"port\":1,\"state\":\"IN_SYNC\"}]}",
        "{\"format\":1,\"epoch\":1,\"authority\":\"a\",\"members\":{}}",
        "{\"format\":1,\"epoch\":1,\"authority\":\"a\",\"members\":[{\"id\":\"a\",\"host\":\"h\",\"port\":1,\"state\":\"GONE\"}]}",
        "{\"format\":1,\"epoch\":1,\"authority\":\"a\",\"members\":[{\"id\":\"a\",\"host\":\"h\",\"port\":70000,\"state\":\"IN_SYNC\"}]}",
        "{\"format\":1,\"epoch\":1,\"authority\":\"a\",\"members\":[{\"id\":\"a\",\"host\":\"h\",\"port\":1,\"state\":\"OUT\"}]}",
        "{\"format\":1,\"epoch\":0,\"authority\":\"a\",\"members\":[{\"id\":\"a\",\"host\":\"h\",\"port\":1,\"state\":\"IN_SYNC\"}]}",
        "{\"format\":1,\"epoch\":1,\"authority\":7,\"members\":[{\"id\":\"a\",\"host\":\"h\",\"port\":1,\"state\":\"IN_SYNC\"}]}",
        "{\"format\":1,\"epoch\":1,\"authority\":\"a\",\"members\":[{\"id\":\"a\",\"host\":\"h\",\"port\":1,\"state\":\"IN_SYNC\"}]",
    })
    void refusesWhatItCannotTrust(String json) {
        assertThatThrownBy(() -> ClusterMapJson.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
