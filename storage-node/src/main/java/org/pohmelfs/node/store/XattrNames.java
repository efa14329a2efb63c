package org.pohmelfs.node.store;

import java.nio.charset.StandardCharsets;
import org.pohmelfs.protocol.ErrorCode;

/** Validates client extended attribute names: non-empty, no NUL or '/', short enough for Linux. */
final class XattrNames {
    private XattrNames() {
    }

    static String check(String name) {
        if (name == null || name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new StoreException(ErrorCode.INVALID_ARGUMENT, "invalid attribute name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > Meta.MAX_CLIENT_NAME) {
            throw new StoreException(ErrorCode.NAME_TOO_LONG, "attribute name longer than " + Meta.MAX_CLIENT_NAME + " bytes");
        }
        return name;
    }
}
