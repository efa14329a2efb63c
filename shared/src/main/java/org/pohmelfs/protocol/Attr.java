package org.pohmelfs.protocol;

/**
 * Attributes of one object.
 *
 * @param type      file or directory
 * @param size      bytes for a file; 0 for a directory
 * @param mtimeNanos modification time, nanoseconds since the Unix epoch
 * @param mode      POSIX permission bits (lower 12 bits)
 * @param version   the node-kept version: changes on every change to the object, and for a
 *                  directory on every change anywhere below it. ETags derive from it, so they
 *                  are the same through every gateway.
 */
public record Attr(FileType type, long size, long mtimeNanos, int mode, long version) {

    public boolean isDirectory() {
        return type == FileType.DIRECTORY;
    }

    /** The strong HTTP entity tag of this version (quoted). */
    public String etag() {
        return "\"" + (isDirectory() ? "d" : "f") + Long.toHexString(version) + "\"";
    }
}
