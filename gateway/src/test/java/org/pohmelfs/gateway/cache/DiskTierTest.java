package org.pohmelfs.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pohmelfs.protocol.ObjectPath;

/** The disk tier on real files in a temporary folder: bound, verification, a folder that fails. */
class DiskTierTest {
    private static final ObjectPath F = ObjectPath.parse("/big/f.bin");
    private static final int BLOCK = 64 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void theFilesNeverExceedTheBoundPlusOneBlock() throws IOException {
        long oneFile = BlockFile.fileSize(new ContentCache.BlockKey(F.toString(), 1, 0), BLOCK);
        long max = 5 * oneFile + 100;
        try (DiskTier tier = DiskTier.open(new DiskTier.Settings(dir, max, Long.MAX_VALUE))) {
            for (int i = 0; i < 40; i++) {
                tier.offer(F, 1, i, block(i));
                await().atMost(WAIT).until(() -> tier.pendingBytes() == 0);
                assertThat(bytesOnDisk()).as("after block %d", i).isLessThanOrEqualTo(max + oneFile);
                assertThat(tier.weightedSize()).isLessThanOrEqualTo(max);
            }
            assertThat(tier.written()).isEqualTo(40);
            assertThat(tier.size()).isBetween(1L, 5L);
            assertThat(bytesOnDisk()).as("evicted blocks' files are deleted").isEqualTo(tier.weightedSize());
        }
    }

    @Test
    void aKeptBlockIsReadBackVerified() {
        try (DiskTier tier = DiskTier.open(new DiskTier.Settings(dir, 1 << 20, Long.MAX_VALUE))) {
            tier.offer(F, 7, 2, block(2));
            await().atMost(WAIT).until(() -> tier.size() == 1);
            assertThat(tier.get(F, 7, 2).block()).contains(block(2));
            assertThat(tier.get(F, 8, 2).block()).as("another version").isEmpty();
            assertThat(tier.get(F, 7, 3).block()).as("another block").isEmpty();
            assertThat(tier.servedBytes()).isEqualTo(BLOCK);
        }
    }

    @Test
    void aDamagedFileIsDroppedNotServed() throws IOException {
        try (DiskTier tier = DiskTier.open(new DiskTier.Settings(dir, 1 << 20, Long.MAX_VALUE))) {
            tier.offer(F, 7, 0, block(0));
            await().atMost(WAIT).until(() -> tier.size() == 1);
            Path file = blockFiles().findFirst().orElseThrow();
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= 0x10;
            Files.write(file, bytes);

            assertThat(tier.get(F, 7, 0).block()).isEmpty();
            assertThat(tier.damaged()).isEqualTo(1);
            assertThat(file).doesNotExist();
            assertThat(tier.size()).isZero();

            tier.offer(F, 7, 0, block(0)); // kept again, sound this time
            await().atMost(WAIT).until(() -> tier.size() == 1);
            assertThat(tier.get(F, 7, 0).block()).contains(block(0));
        }
    }

    @Test
    void aFileThatWentAwayIsAMiss() throws IOException {
        try (DiskTier tier = DiskTier.open(new DiskTier.Settings(dir, 1 << 20, Long.MAX_VALUE))) {
            tier.offer(F, 7, 0, block(0));
            await().atMost(WAIT).until(() -> tier.size() == 1);
            Files.delete(blockFiles().findFirst().orElseThrow());
            assertThat(tier.get(F, 7, 0).block()).isEmpty();
            assertThat(tier.size()).isZero();
        }
    }

    @Test
    void theFolderIsCreatedAndItsOldBlocksDeletedAtStart() throws IOException {
        Path folder = dir.resolve("a/b");
        try (DiskTier first = DiskTier.open(new DiskTier.Settings(folder, 1 << 20, Long.MAX_VALUE))) {
            first.offer(F, 1, 0, block(0));
            await().atMost(WAIT).until(() -> first.size() == 1);
        }
        Path mine = Files.writeString(folder.resolve("README"), "not the tier's");
        assertThat(blockFiles(folder).count()).isEqualTo(1);
        try (DiskTier second = DiskTier.open(new DiskTier.Settings(folder, 1 << 20, Long.MAX_VALUE))) {
            assertThat(second.enabled()).isTrue();
            assertThat(blockFiles(folder).count()).isZero();
            assertThat(second.get(F, 1, 0).block()).isEmpty();
            assertThat(mine).as("only the tier's sub-folders are emptied").exists();
        }
    }

    @Test
    void aFolderThatCannotBeMadeTurnsTheTierOff() throws IOException {
        Path notAFolder = Files.writeString(dir.resolve("file"), "x");
        try (DiskTier tier = DiskTier.open(new DiskTier.Settings(notAFolder.resolve("cache"), 1 << 20, Long.MAX_VALUE))) {
            assertThat(tier.enabled()).isFalse();
            assertThat(tier.takes(1)).isFalse();
            tier.offer(F, 1, 0, block(0));
            assertThat(tier.get(F, 1, 0).block()).isEmpty();
            assertThat(tier.pendingBytes()).isZero();
        }
    }

    @Test
    void failingWritesAreCountedAndSkippedNeverThrown() throws IOException {
        try (DiskTier tier = DiskTier.open(new DiskTier.Settings(dir, 1 << 20, Long.MAX_VALUE))) {
            breakSubFolders(dir); // as root, permissions would not stop a write: no folder to write into does
            for (int i = 0; i < 3; i++) {
                tier.offer(F, 1, i, block(i));
            }
            await().atMost(WAIT).until(() -> tier.pendingBytes() == 0);
            assertThat(tier.failed()).isEqualTo(3);
            assertThat(tier.written()).isZero();
            assertThat(tier.get(F, 1, 0).block()).isEmpty();
        }
    }

    @Test
    void blocksEvictedFromMemoryGoToDiskAndAreMetered() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (DiskTier tier = DiskTier.open(new DiskTier.Settings(dir, 1 << 22, Long.MAX_VALUE))
                .bindTo(registry, "pohmelfs.disk")) {
            ContentCache memory = new ContentCache(4L * (BLOCK + ContentCache.ENTRY_OVERHEAD), BLOCK, tier);
            for (int i = 0; i < 20; i++) {
                memory.put(F, 1, i, block(i));
            }
            await().atMost(WAIT).until(() -> tier.pendingBytes() == 0 && tier.size() >= 16);
            int onDisk = 0;
            for (int i = 0; i < 20; i++) {
                Optional<ByteBuffer> fromMemory = memory.get(F, 1, i);
                Optional<ByteBuffer> fromDisk = tier.get(F, 1, i).block();
                assertThat(fromMemory.isPresent() || fromDisk.isPresent()).as("block %d is in a tier", i).isTrue();
                if (fromDisk.isPresent()) {
                    onDisk++;
                    assertThat(fromDisk.get()).isEqualTo(block(i));
                }
            }
            assertThat(onDisk).isGreaterThanOrEqualTo(16);
            assertThat(registry.get("cache.gets").tag("cache", "pohmelfs.disk").tag("result", "hit")
                    .functionCounter().count()).isEqualTo(onDisk);
            assertThat(registry.get("cache.gets").tag("cache", "pohmelfs.disk").tag("result", "miss")
                    .functionCounter().count()).isEqualTo(20 - onDisk);
            assertThat(registry.get("pohmelfs.gateway.cache.disk.served.bytes").functionCounter().count())
                    .isEqualTo((double) onDisk * BLOCK);
            assertThat(registry.get("pohmelfs.gateway.cache.disk.writes").tag("result", "written")
                    .functionCounter().count()).isEqualTo(tier.written());
            assertThat(registry.get("pohmelfs.gateway.cache.disk.bytes").gauge().value())
                    .isEqualTo((double) tier.weightedSize());
        }
    }

    static void breakSubFolders(Path dir) throws IOException {
        for (int i = 0; i < BlockFile.FOLDERS; i++) {
            Path sub = dir.resolve(Integer.toHexString(i));
            try (Stream<Path> files = Files.list(sub)) {
                files.forEach(f -> {
                    try {
                        Files.delete(f);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            Files.delete(sub);
            Files.writeString(sub, "in the way");
        }
    }

    /** A block whose bytes depend on its index. */
    private static ByteBuffer block(int i) {
        ByteBuffer b = ByteBuffer.allocate(BLOCK);
        for (int j = 0; j < BLOCK; j++) {
            b.put((byte) (i * 31 + j));
        }
        return b.flip();
    }

    private Stream<Path> blockFiles() throws IOException {
        return blockFiles(dir);
    }

    private static Stream<Path> blockFiles(Path dir) throws IOException {
        return Files.walk(dir).filter(Files::isRegularFile).filter(f -> f.toString().endsWith(BlockFile.SUFFIX));
    }

    private long bytesOnDisk() throws IOException {
        return bytesIn(dir);
    }

    /** Bytes in the regular files below {@code dir} (a file deleted meanwhile counts 0); also DiskCacheTest's. */
    static long bytesIn(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // deleted meanwhile
                }
            }).sum();
        }
    }
}
