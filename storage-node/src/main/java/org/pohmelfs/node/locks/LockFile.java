package org.pohmelfs.node.locks;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.pohmelfs.protocol.DavLock;

/**
 * The WebDAV locks on disk: one small file in the node's state folder, replaced whole
 * (written aside, forced, renamed) after every change, so it is either the old or the new table.
 *
 * <pre>
 * u32 magic "PHLK" | u32 count | count x (utf token, utf root, bool exclusive, bool infinite,
 *                                         utf owner, utf principal, i32 timeout, i64 expiresAt)
 * </pre>
 */
public final class LockFile {
    private static final int MAGIC = 0x50484C4B;
    private final Path file;
    private final boolean fsync;

    public LockFile(Path file, boolean fsync) {
        this.file = file;
        this.fsync = fsync;
    }

    /** The saved locks; none when the file does not exist. */
    public List<DavLock> read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not a lock file");
            }
            int n = in.readInt();
            List<DavLock> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(new DavLock(in.readUTF(), in.readUTF(), in.readBoolean(), in.readBoolean(), in.readUTF(),
                        in.readUTF(), in.readInt(), in.readLong()));
            }
            return out;
        }
    }

    public void write(List<DavLock> locks) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(locks.size());
            for (DavLock l : locks) {
                out.writeUTF(l.token());
                out.writeUTF(l.root());
                out.writeBoolean(l.exclusive());
                out.writeBoolean(l.infinite());
                out.writeUTF(l.owner());
                out.writeUTF(l.principal());
                out.writeInt(l.timeoutSeconds());
                out.writeLong(l.expiresAtMillis());
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray());
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (fsync) {
                ch.force(true);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
