package org.pohmelfs.protocol;

/** One entry of a directory listing: its name (one path component) and its attributes. */
public record DirEntry(String name, Attr attr) {
}
