package org.pohmelfs.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpStatus;

class ContentRangeTest {
    @ParameterizedTest
    @CsvSource({"'bytes 0-0/*',0,0,-1,1", "'bytes 3-5/*',3,5,-1,3", "'bytes 3-5/6',3,5,6,3",
            "' bytes 10-19/100 ',10,19,100,10"})
    void parses(String header, long first, long last, long complete, long length) {
        ContentRange r = ContentRange.parse(header);
        assertThat(r).isEqualTo(new ContentRange(first, last, complete));
        assertThat(r.length()).isEqualTo(length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bytes", "bytes 0-", "bytes */10", "bytes 1-2", "bytes=1-2/*", "bytes -1-2/*",
            "bytes 1-2/-5", "bytes 1-2/x", "bytes 1000000000000000000-2/*", "bytes 1-2/*, 3-4/*"})
    void malformedIs400(String header) {
        assertThatThrownBy(() -> ContentRange.parse(header)).isInstanceOfSatisfying(HttpProblem.class,
                p -> assertThat(p.status()).isEqualTo(HttpStatus.BAD_REQUEST));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes 5-4/*", "bytes 0-9/9", "bytes 0-9/0"})
    void unsatisfiableIs416(String header) {
        assertThatThrownBy(() -> ContentRange.parse(header)).isInstanceOfSatisfying(HttpProblem.class,
                p -> assertThat(p.status()).isEqualTo(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE));
    }

    @org.junit.jupiter.api.Test
    void missingIs400() {
        assertThatThrownBy(() -> ContentRange.parse(null)).isInstanceOfSatisfying(HttpProblem.class,
                p -> assertThat(p.status()).isEqualTo(HttpStatus.BAD_REQUEST));
    }
}
