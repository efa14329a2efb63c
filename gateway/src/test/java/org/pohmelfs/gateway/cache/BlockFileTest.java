package org.pohmelfs.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BlockFileTest {
    private static final ContentCache.BlockKey KEY = new ContentCache.BlockKey("/big/f.bin", 42, 3);

    @Test
    void aNameIsAStableHashOfTheWholeKeyInOneOfSixteenFolders() {
        String name = BlockFile.name(KEY);
        assertThat(name).matches("[0-9a-f]{32}\\.blk").isEqualTo(BlockFile.name(
                new ContentCache.BlockKey("/big/f.bin", 42, 3)));
        assertThat(BlockFile.name(new ContentCache.BlockKey("/big/f.bin", 43, 3))).isNotEqualTo(name);
        assertThat(BlockFile.name(new ContentCache.BlockKey("/big/f.bin", 42, 4))).isNotEqualTo(name);
        assertThat(BlockFile.name(new ContentCache.BlockKey("/big/g.bin", 42, 3))).isNotEqualTo(name);
        assertThat(BlockFile.folder(name)).isEqualTo(name.substring(0, 1)).matches("[0-9a-f]");
    }

    @Test
    void aBlockComesBackAsItWasWritten() {
        ByteBuffer data = utf8("block three of version 42");
        data.position(6); // only the remaining bytes are the block
        ByteBuffer file = BlockFile.encode(KEY, data);
        assertThat(file.remaining()).isEqualTo(BlockFile.fileSize(KEY, data.remaining()));
        assertThat(data.position()).as("encode does not consume the caller's buffer").isEqualTo(6);
        ByteBuffer back = BlockFile.decode(KEY, file).orElseThrow();
        assertThat(text(back)).isEqualTo("three of version 42");
        assertThat(back.hasArray()).as("a view of the file's bytes, no copy").isTrue();
        assertThat(BlockFile.decode(KEY, file.asReadOnlyBuffer()).orElseThrow().isReadOnly()).isTrue();
        assertThat(BlockFile.decode(KEY, BlockFile.encode(KEY, ByteBuffer.allocate(0))).orElseThrow().remaining())
                .isZero();
    }

    @Test
    void everyFlippedBitIsRefused() {
        ByteBuffer file = BlockFile.encode(KEY, utf8("some bytes"));
        for (int i = 0; i < file.remaining(); i++) {
            for (int bit = 0; bit < 8; bit++) {
                ByteBuffer damaged = copy(file);
                damaged.put(i, (byte) (damaged.get(i) ^ (1 << bit)));
                assertThat(BlockFile.decode(KEY, damaged)).as("byte %d bit %d", i, bit).isEmpty();
            }
        }
    }

    @Test
    void aTruncatedOrLongerFileIsRefused() {
        ByteBuffer file = BlockFile.encode(KEY, utf8("some bytes"));
        for (int n = 0; n < file.remaining(); n++) {
            assertThat(BlockFile.decode(KEY, copy(file).limit(n))).as("first %d bytes", n).isEmpty();
        }
        ByteBuffer longer = ByteBuffer.allocate(file.remaining() + 1).put(copy(file)).put((byte) 0).flip();
        assertThat(BlockFile.decode(KEY, longer)).isEmpty();
    }

    @Test
    void aSoundFileOfAnotherKeyIsRefused() {
        ByteBuffer file = BlockFile.encode(KEY, utf8("some bytes"));
        assertThat(BlockFile.decode(new ContentCache.BlockKey("/big/f.bin", 41, 3), file)).isEmpty();
        assertThat(BlockFile.decode(new ContentCache.BlockKey("/big/f.bin", 42, 2), file)).isEmpty();
        assertThat(BlockFile.decode(new ContentCache.BlockKey("/big/g.bin", 42, 3), file)).isEmpty();
        assertThat(BlockFile.decode(KEY, file)).isPresent();
    }

    private static ByteBuffer copy(ByteBuffer b) {
        return ByteBuffer.allocate(b.remaining()).put(b.duplicate()).flip();
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
