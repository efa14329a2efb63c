package org.pohmelfs.protocol;

import java.nio.ByteBuffer;

/** One extended attribute: a name and an opaque value. */
public record Xattr(String name, ByteBuffer value) {
    public Xattr {
        value = value.asReadOnlyBuffer();
    }
}
