package org.pohmelfs.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.pohmelfs.protocol.ObjectPath;

class ContentCacheTest {
    private static final ObjectPath F = ObjectPath.parse("/docs/f.txt");

    @Test
    void aBlockIsFoundOnlyUnderItsPathVersionAndIndex() {
        ContentCache cache = new ContentCache(1 << 20, 4096);
        cache.put(F, 7, 0, utf8("seven"));
        assertThat(cache.get(F, 7, 0)).map(ContentCacheTest::text).contains("seven");
        assertThat(cache.get(F, 8, 0)).as("another version").isEmpty();
        assertThat(cache.get(F, 7, 1)).as("another block").isEmpty();
        assertThat(cache.get(ObjectPath.parse("/docs/g.txt"), 7, 0)).as("another path").isEmpty();
    }

    @Test
    void readersGetIndependentReadOnlyViews() {
        ContentCache cache = new ContentCache(1 << 20, 4096);
        ByteBuffer source = utf8("abc");
        cache.put(F, 1, 0, source);
        source.clear().put((byte) 'X');           // the caller's buffer changes after put
        ByteBuffer first = cache.get(F, 1, 0).orElseThrow();
        first.get();                              // a reader consumes its view
        assertThat(text(cache.get(F, 1, 0).orElseThrow())).isEqualTo("abc");
        assertThat(first.isReadOnly()).isTrue();
    }

    @Test
    void aSliceOfALargeBufferIsCopiedToItsOwnSize() {
        ContentCache cache = new ContentCache(1 << 20, 4096);
        ByteBuffer frame = ByteBuffer.allocate(64 * 1024);
        frame.position(100).limit(110);
        cache.put(F, 1, 0, frame);
        assertThat(cache.get(F, 1, 0).orElseThrow().capacity()).isEqualTo(10);
        assertThat(frame.position()).as("put does not consume the caller's buffer").isEqualTo(100);
    }

    @Test
    void staysWithinItsByteBudget() {
        int block = 4096;
        long budget = 64L * (block + ContentCache.ENTRY_OVERHEAD);
        ContentCache cache = new ContentCache(budget, block);
        for (int i = 0; i < 1000; i++) {
            cache.put(F, 1, i, ByteBuffer.allocate(block));
        }
        assertThat(cache.weightedSize()).isLessThanOrEqualTo(budget).isGreaterThan(budget / 2);
    }

    @Test
    void refusesABlockLargerThanTheBlockSize() {
        ContentCache cache = new ContentCache(1 << 20, 4);
        assertThatThrownBy(() -> cache.put(F, 1, 0, utf8("12345"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void publishesHitsAndMisses() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ContentCache cache = new ContentCache(1 << 20, 4096).bindTo(registry, "content");
        cache.put(F, 1, 0, utf8("x"));
        cache.get(F, 1, 0);
        cache.get(F, 2, 0);
        assertThat(registry.get("cache.gets").tag("cache", "content").tag("result", "hit").functionCounter().count())
                .isEqualTo(1);
        assertThat(registry.get("cache.gets").tag("cache", "content").tag("result", "miss").functionCounter().count())
                .isEqualTo(1);
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return new String(out, StandardCharsets.UTF_8);
    }
}
