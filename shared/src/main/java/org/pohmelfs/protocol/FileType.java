package org.pohmelfs.protocol;

/** The kind of an object in the export. Wire values are fixed. */
public enum FileType {
    FILE(1),
    DIRECTORY(2);

    private final int code;

    FileType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static FileType of(int code) {
        return switch (code) {
            case 1 -> FILE;
            case 2 -> DIRECTORY;
            default -> throw new ProtocolException("unknown file type " + code);
        };
    }
}
