package org.pohmelfs.gateway.files;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Turns a request body of arbitrarily sized buffers into chunks of exactly {@code size} bytes
 * (the last one shorter), each an independent heap buffer, releasing the input as it goes.
 * Memory held: one chunk being filled plus what downstream has requested.
 */
final class Rechunker {
    private Rechunker() {
    }

    static Flux<ByteBuffer> rechunk(Flux<DataBuffer> body, int size) {
        return Flux.defer(() -> {
            ByteBuffer[] filling = {ByteBuffer.allocate(size)};
            return body.concatMapIterable(buffer -> {
                List<ByteBuffer> full = new ArrayList<>(1);
                try {
                    while (buffer.readableByteCount() > 0) {
                        ByteBuffer target = filling[0];
                        int n = Math.min(target.remaining(), buffer.readableByteCount());
                        ByteBuffer slice = target.slice(target.position(), n);
                        buffer.toByteBuffer(buffer.readPosition(), slice, 0, n);
                        buffer.readPosition(buffer.readPosition() + n);
                        target.position(target.position() + n);
                        if (!target.hasRemaining()) {
                            full.add(target.flip());
                            filling[0] = ByteBuffer.allocate(size);
                        }
                    }
                } finally {
                    DataBufferUtils.release(buffer);
                }
                return full;
            }, 1).concatWith(Mono.fromSupplier(() -> filling[0].flip()).filter(ByteBuffer::hasRemaining));
        });
    }
}
