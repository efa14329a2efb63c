package org.pohmelfs.node.resync;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.pohmelfs.node.store.ResyncOps;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.DirEntry;

/** The local export as a resync sees it, and the conditional installs that copy from a {@link PeerSource}. */
final class LocalReplica implements Replica, Installer {
    private final ResyncOps ops;
    private final PeerSource source;

    LocalReplica(ResyncOps ops, PeerSource source) {
        this.ops = ops;
        this.source = source;
    }

    @Override
    public Attr stat(String path) throws IOException {
        return ops.stat(path);
    }

    @Override
    public List<DirEntry> list(String path) throws IOException {
        return ops.list(path);
    }

    @Override
    public Fingerprint fingerprint(String path) throws IOException {
        org.pohmelfs.protocol.Result.Checksum c = ops.checksum(path);
        return c == null ? null : new Fingerprint(c.attr(), c.sha256(), ops.xattrs(path));
    }

    @Override
    public long copyFile(String path, long expected) throws IOException {
        Path temp = ops.newTemp();
        try {
            PeerSource.Fetched f = source.fetch(path, temp);
            if (f == null || f.attr().isDirectory()) {
                return SKIPPED;
            }
            return ops.installFile(path, expected, temp, f.attr(), f.xattrs()) ? f.attr().size() : SKIPPED;
        } finally {
            java.nio.file.Files.deleteIfExists(temp);
        }
    }

    @Override
    public boolean makeDirectory(String path, long expected, long version) throws IOException {
        PeerSource.Fetched d = source.directory(path);
        return d != null && ops.putDirectory(path, expected, d.attr(), version, d.xattrs());
    }

    @Override
    public boolean adjustDirectory(String path, long delta) throws IOException {
        PeerSource.Fetched d = source.directory(path);
        return d != null && ops.adjustDirectory(path, delta, d.attr(), d.xattrs());
    }

    @Override
    public boolean delete(String path, long expected) throws IOException {
        return ops.delete(path, expected);
    }

    @Override
    public void sync() throws IOException {
        ops.sync();
    }
}
