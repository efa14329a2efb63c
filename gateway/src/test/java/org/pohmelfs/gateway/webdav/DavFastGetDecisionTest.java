package org.pohmelfs.gateway.webdav;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.pohmelfs.gateway.webdav.DavFastGet.Decision;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.FileType;
import org.springframework.http.HttpHeaders;

/** Which GETs and HEADs the fast path answers itself, and how (pure). */
class DavFastGetDecisionTest {
    static final long MTIME = 1_700_000_000_123_456_789L;
    static final Attr SMALL = new Attr(FileType.FILE, 4096, MTIME, 0644, 0x2a);

    static HttpHeaders headers(String... pairs) {
        HttpHeaders h = new HttpHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            h.add(pairs[i], pairs[i + 1]);
        }
        return h;
    }

    @Test
    void aSmallFileIsServedAndEverythingElseGoesToMilton() {
        assertThat(DavFastGet.decide(headers(), SMALL)).isEqualTo(Decision.SERVE);
        assertThat(DavFastGet.decide(headers(), new Attr(FileType.FILE, 0, MTIME, 0644, 1))).isEqualTo(Decision.SERVE);
        assertThat(DavFastGet.decide(headers(), new Attr(FileType.FILE, DavFastGet.MAX_BYTES, MTIME, 0644, 1)))
                .isEqualTo(Decision.SERVE);
        assertThat(DavFastGet.decide(headers(), new Attr(FileType.FILE, DavFastGet.MAX_BYTES + 1, MTIME, 0644, 1)))
                .as("large: streamed by Milton").isEqualTo(Decision.MILTON);
        assertThat(DavFastGet.decide(headers(), null)).as("missing: Milton's 404").isEqualTo(Decision.MILTON);
        assertThat(DavFastGet.decide(headers(), new Attr(FileType.DIRECTORY, 0, MTIME, 0755, 3)))
                .as("folder: Milton's page").isEqualTo(Decision.MILTON);
        assertThat(DavFastGet.decide(headers("Range", "bytes=0-1"), SMALL)).isEqualTo(Decision.MILTON);
        assertThat(DavFastGet.decide(headers("If-Range", "\"f2a\"", "Range", "bytes=0-1"), SMALL))
                .isEqualTo(Decision.MILTON);
    }

    @Test
    void conditionalHeadersAreEvaluatedBeforeRanges() {
        assertThat(DavFastGet.decide(headers("If-None-Match", "\"f2a\""), SMALL)).isEqualTo(Decision.NOT_MODIFIED);
        assertThat(DavFastGet.decide(headers("If-None-Match", "W/\"f2a\""), SMALL)).isEqualTo(Decision.NOT_MODIFIED);
        assertThat(DavFastGet.decide(headers("If-None-Match", "*"), SMALL)).isEqualTo(Decision.NOT_MODIFIED);
        assertThat(DavFastGet.decide(headers("If-None-Match", "\"other\""), SMALL)).isEqualTo(Decision.SERVE);
        assertThat(DavFastGet.decide(headers("If-Match", "\"other\""), SMALL)).isEqualTo(Decision.FAILED);
        assertThat(DavFastGet.decide(headers("If-Match", "\"other\"", "Range", "bytes=0-1"), SMALL))
                .isEqualTo(Decision.FAILED);
        assertThat(DavFastGet.decide(headers("If-Match", "\"f2a\""), SMALL)).isEqualTo(Decision.SERVE);
        assertThat(DavFastGet.decide(headers("If-Modified-Since", "Tue, 14 Nov 2023 22:13:20 GMT"), SMALL))
                .as("mtime is 22:13:20.123: same second").isEqualTo(Decision.NOT_MODIFIED);
        assertThat(DavFastGet.decide(headers("If-Modified-Since", "Tue, 14 Nov 2023 22:13:19 GMT"), SMALL))
                .isEqualTo(Decision.SERVE);
        assertThat(DavFastGet.decide(headers("If-Unmodified-Since", "Tue, 14 Nov 2023 22:13:19 GMT"), SMALL))
                .isEqualTo(Decision.FAILED);
        assertThat(DavFastGet.decide(headers("If-None-Match", "\"other\"",
                "If-Modified-Since", "Tue, 14 Nov 2023 22:13:20 GMT"), SMALL))
                .as("If-None-Match wins over If-Modified-Since").isEqualTo(Decision.SERVE);
    }
}
