package org.pohmelfs.protocol;

import java.nio.ByteBuffer;

/**
 * One operation on the export. A {@link Message.Request} carries one or more commands as a
 * transaction. Paths are absolute, '/'-separated, already normalised (see {@link ObjectPath});
 * the node validates them again and refuses anything that would leave its export.
 *
 * <p>Each command has a fixed wire opcode ({@link #opcode()}); docs/protocol.md lists them.
 */
public sealed interface Command {

    /** The wire opcode of this command. */
    int opcode();

    /** Whether the command changes the export (and so needs the journal and a writable node). */
    boolean mutates();

    /** Liveness and round-trip check; answered with {@link Result.Pong} echoing the value. */
    record Ping(long value) implements Command {
        public int opcode() { return Opcodes.PING; }
        public boolean mutates() { return false; }
    }

    /** Capacity and usage of the export; answered with {@link Result.Statfs}. */
    record Statfs() implements Command {
        public int opcode() { return Opcodes.STATFS; }
        public boolean mutates() { return false; }
    }

    /** Make what is written so far durable: one path, or the whole export for "/". */
    record Sync(String path) implements Command {
        public int opcode() { return Opcodes.SYNC; }
        public boolean mutates() { return false; }
    }

    /**
     * Make every unstable {@link Write} to {@code path} durable (protocol §4.8, feature
     * {@code unstable}). Fails with UNSTABLE_LOST when the node holds no unstable writes to the
     * path in its current incarnation (it restarted since, or they were committed already). Does
     * not mutate by itself, like {@link Sync}, but may be part of a mutating transaction: its
     * failure then aborts the whole transaction.
     */
    record Commit(String path) implements Command {
        public int opcode() { return Opcodes.COMMIT; }
        public boolean mutates() { return false; }
    }

    /** Attributes of one object; answered with {@link Result.Attrs}. */
    record Stat(String path) implements Command {
        public int opcode() { return Opcodes.STAT; }
        public boolean mutates() { return false; }
    }

    /**
     * One page of a directory listing, sorted by name (byte order of UTF-8), with attributes.
     *
     * @param startAfter the last name of the previous page, or "" for the first page
     * @param limit      at most this many entries (the node may return fewer)
     */
    record List(String path, String startAfter, int limit) implements Command {
        public int opcode() { return Opcodes.LIST; }
        public boolean mutates() { return false; }
    }

    /** Up to {@code length} bytes from {@code offset}; answered with {@link Result.Data}. */
    record Read(String path, long offset, int length) implements Command {
        public int opcode() { return Opcodes.READ; }
        public boolean mutates() { return false; }
    }

    /**
     * The SHA-256 of {@code length} bytes of a file from {@code offset} ({@link #TO_END}: to the
     * end of the file; a range past the end is cut at it); answered with {@link Result.Checksum}.
     * A directory is IS_DIRECTORY. Read-only: served like READ (BUSY on a node that is not IN_SYNC).
     */
    record Checksum(String path, long offset, long length) implements Command {
        /** A {@code length} that means "to the end of the file". */
        public static final long TO_END = -1;

        public int opcode() { return Opcodes.CHECKSUM; }
        public boolean mutates() { return false; }
    }

    /**
     * Write {@code data} at {@code offset}. With {@code create} a missing file is created (its
     * parent must exist); without it a missing file is an error.
     *
     * <p>With {@code unstable} (opcode WRITE_UNSTABLE, feature {@code unstable}) the node may
     * answer before the change is on stable storage: it is atomic and survives a crash of the
     * node process, but a power loss may lose it until a {@link Commit} of the path succeeds.
     */
    record Write(String path, long offset, ByteBuffer data, boolean create, boolean unstable) implements Command {
        public Write {
            data = data.asReadOnlyBuffer();
        }

        /** A stable write (opcode WRITE): durable when its transaction's reply is sent. */
        public Write(String path, long offset, ByteBuffer data, boolean create) {
            this(path, offset, data, create, false);
        }

        public int opcode() { return unstable ? Opcodes.WRITE_UNSTABLE : Opcodes.WRITE; }
        public boolean mutates() { return true; }

        /** The same write, stable (for a peer that did not negotiate {@code unstable}). */
        public Write stable() {
            return unstable ? new Write(path, offset, data, create, false) : this;
        }
    }

    /**
     * Create a file. {@code exclusive}: fail with EXISTS if it exists; otherwise an existing file
     * is truncated to zero. {@code parents}: create missing parent directories too.
     */
    record Create(String path, boolean exclusive, boolean parents, int mode) implements Command {
        public int opcode() { return Opcodes.CREATE; }
        public boolean mutates() { return true; }
    }

    /** Create a directory, with {@code parents} every missing one on the way (mkdir -p). */
    record Mkdir(String path, boolean parents, int mode) implements Command {
        public int opcode() { return Opcodes.MKDIR; }
        public boolean mutates() { return true; }
    }

    /** Remove a file or an empty directory; with {@code recursive} a whole tree at once. */
    record Delete(String path, boolean recursive) implements Command {
        public int opcode() { return Opcodes.DELETE; }
        public boolean mutates() { return true; }
    }

    /** Move an object; with {@code noReplace} an existing target is an EXISTS error. */
    record Rename(String from, String to, boolean noReplace) implements Command {
        public int opcode() { return Opcodes.RENAME; }
        public boolean mutates() { return true; }
    }

    /** Server-side copy of a file or (recursively) a tree, with its extended attributes. */
    record Copy(String from, String to, boolean noReplace) implements Command {
        public int opcode() { return Opcodes.COPY; }
        public boolean mutates() { return true; }
    }

    /** Set a file's size, cutting or zero-extending it. */
    record Truncate(String path, long size) implements Command {
        public int opcode() { return Opcodes.TRUNCATE; }
        public boolean mutates() { return true; }
    }

    /** Set attributes; {@code mtimeNanos} {@link #UNCHANGED} and {@code mode} -1 leave them. */
    record SetAttr(String path, long mtimeNanos, int mode) implements Command {
        public static final long UNCHANGED = Long.MIN_VALUE;
        public int opcode() { return Opcodes.SETATTR; }
        public boolean mutates() { return true; }
    }

    /** One extended attribute's value; NO_ATTRIBUTE when it is not set. */
    record XattrGet(String path, String name) implements Command {
        public int opcode() { return Opcodes.XATTR_GET; }
        public boolean mutates() { return false; }
    }

    /** Set an extended attribute (created or replaced). */
    record XattrSet(String path, String name, ByteBuffer value) implements Command {
        public XattrSet {
            value = value.asReadOnlyBuffer();
        }
        public int opcode() { return Opcodes.XATTR_SET; }
        public boolean mutates() { return true; }
    }

    /** All extended attributes of an object, names and values. */
    record XattrList(String path) implements Command {
        public int opcode() { return Opcodes.XATTR_LIST; }
        public boolean mutates() { return false; }
    }

    /** Remove an extended attribute; NO_ATTRIBUTE when it is not set. */
    record XattrRemove(String path, String name) implements Command {
        public int opcode() { return Opcodes.XATTR_REMOVE; }
        public boolean mutates() { return true; }
    }

    // ------------------------------------------------------------ WebDAV locks (0x0060-0x006F)

    /**
     * Take a WebDAV lock on {@code path} (which must exist). Answered with {@link Result.Locks}
     * holding the new lock. Conflicts with a lock that covers the path or (with
     * {@code infinite}) one rooted inside it: LOCKED.
     *
     * @param exclusive      exclusive (else shared) scope
     * @param infinite       depth infinity (else depth 0)
     * @param owner          the client's DAV:owner XML, kept verbatim
     * @param principal      who takes the lock; only this principal's {@link Tokens} unlock it
     * @param timeoutSeconds requested lifetime; 0 or above the node's maximum means the maximum
     * @param token          the lock token chosen by the caller, or "" for the node to choose
     */
    record Lock(String path, boolean exclusive, boolean infinite, String owner, String principal,
                int timeoutSeconds, String token) implements Command {
        public int opcode() { return Opcodes.LOCK; }
        public boolean mutates() { return true; }
    }

    /** Give the lock {@code token}, which covers {@code path}, a new lifetime. */
    record LockRefresh(String path, String token, String principal, int timeoutSeconds) implements Command {
        public int opcode() { return Opcodes.LOCK_REFRESH; }
        public boolean mutates() { return true; }
    }

    /** Remove the lock {@code token}, which must cover {@code path}. */
    record Unlock(String path, String token, String principal) implements Command {
        public int opcode() { return Opcodes.UNLOCK; }
        public boolean mutates() { return true; }
    }

    /**
     * The live locks covering {@code path} (on it, or on an ancestor with depth infinity), and
     * with {@code inside} also those rooted below it (what stops a DELETE or MOVE of the tree).
     */
    record Locks(String path, boolean inside) implements Command {
        public int opcode() { return Opcodes.LOCKS; }
        public boolean mutates() { return false; }
    }

    /**
     * The lock tokens the client holds (WebDAV's If header) for the commands after this one in
     * the same transaction; a mutation of a locked path fails with LOCKED unless one of the
     * locks covering it is named here and belongs to {@code principal}.
     */
    record Tokens(String principal, java.util.List<String> tokens) implements Command {
        public Tokens {
            tokens = java.util.List.copyOf(tokens);
        }
        public int opcode() { return Opcodes.TOKENS; }
        public boolean mutates() { return false; }
    }

    // ------------------------------------------------------------ coherence leases (0x0040-0x004F)

    /**
     * Ask for a lease (design.md §3.1); answered with {@link Result.Grant} once granted, which may
     * take until conflicting leases were recalled or ran out. Must be the only command of its request.
     *
     * @param exclusive X (write) rather than S (read)
     * @param subtree   SUBTREE scope (the object and everything below) rather than OBJECT
     */
    record Acquire(String path, boolean exclusive, boolean subtree) implements Command {
        public int opcode() { return Opcodes.ACQUIRE; }
        public boolean mutates() { return false; }
    }

    /** Give up this connection's lease on the path; OK also when none is held. */
    record Release(String path) implements Command {
        public int opcode() { return Opcodes.RELEASE; }
        public boolean mutates() { return false; }
    }

    /** Extend every lease of this connection that is not being recalled; answered with {@link Result.Renewed}. */
    record Renew() implements Command {
        public int opcode() { return Opcodes.RENEW; }
        public boolean mutates() { return false; }
    }

    /** Turn this connection's exclusive lease on the path into a shared one; OK also when there is none. */
    record Downgrade(String path) implements Command {
        public int opcode() { return Opcodes.DOWNGRADE; }
        public boolean mutates() { return false; }
    }

    /**
     * The first command of a mutating transaction (feature {@code hold}, protocol §4.8.2): the
     * node keeps the transaction's transient mutation locks after it commits, under a holder named
     * by the connection and the txid, until {@link Unhold}, the connection's close, or one lease
     * duration. Answered OK (ABORTED when the transaction failed). Not a mutation by itself.
     */
    record Hold() implements Command {
        public int opcode() { return Opcodes.HOLD; }
        public boolean mutates() { return false; }
    }

    /**
     * Releases what {@link Hold} kept for {@code txid} on this connection; OK also when nothing is
     * held. The only command of its request (feature {@code hold}).
     */
    record Unhold(long txid) implements Command {
        public int opcode() { return Opcodes.UNHOLD; }
        public boolean mutates() { return false; }
    }

    /** Whether this is one of the lease commands, which travel alone in their request. */
    default boolean isLeaseCommand() {
        return this instanceof Acquire || this instanceof Release || this instanceof Renew || this instanceof Downgrade;
    }
}
