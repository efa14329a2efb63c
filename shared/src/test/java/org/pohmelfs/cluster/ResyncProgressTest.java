package org.pohmelfs.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResyncProgressTest {
    private static final ResyncProgress P = new ResyncProgress("node3", ResyncProgress.Phase.COPYING, "node1",
            120, 880, 1_048_576, 9_437_184, 1_764_400_000_000L, 1_764_400_004_000L);

    @Test
    void encodesInTheDocumentedFormAndDecodesBack() {
        String json = new String(P.encode(), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"format\":1,\"node\":\"node3\",\"phase\":\"COPYING\",\"source\":\"node1\","
                + "\"objectsDone\":120,\"objectsLeft\":880,\"bytesDone\":1048576,\"bytesLeft\":9437184,"
                + "\"startedAt\":1764400000000,\"updatedAt\":1764400004000}");
        assertThat(ResyncProgress.decode(P.encode())).isEqualTo(P);
    }

    @Test
    void decodeIgnoresUnknownFieldsAndRefusesBadOnes() {
        String json = new String(P.encode(), StandardCharsets.UTF_8);
        assertThat(ResyncProgress.decode(json.replace("{\"format\":1,", "{\"format\":1,\"extra\":[1],")
                .getBytes(StandardCharsets.UTF_8))).isEqualTo(P);
        assertThatThrownBy(() -> ResyncProgress.decode(json.replace("\"format\":1", "\"format\":2").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("format 2");
        assertThatThrownBy(() -> ResyncProgress.decode(json.replace("COPYING", "DANCING").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("phase");
        assertThatThrownBy(() -> ResyncProgress.decode(json.replace("\"bytesDone\":1048576", "\"bytesDone\":\"x\"").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytesDone");
        assertThatThrownBy(() -> ResyncProgress.decode("[]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResyncProgress.decode("{".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fractionCountsBytesWhenThereAreAnyElseObjects() {
        assertThat(P.fraction()).isEqualTo(0.1);
        assertThat(new ResyncProgress("n", ResyncProgress.Phase.COPYING, "", 1, 3, 0, 0, 0, 0).fraction()).isEqualTo(0.25);
        assertThat(new ResyncProgress("n", ResyncProgress.Phase.DONE, "", 0, 0, 0, 0, 0, 0).fraction()).isEqualTo(1.0);
        assertThatThrownBy(() -> new ResyncProgress("n", ResyncProgress.Phase.DONE, "", -1, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
