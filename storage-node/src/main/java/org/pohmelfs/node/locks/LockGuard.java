package org.pohmelfs.node.locks;

import java.util.function.Predicate;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.Result;

/**
 * Applies the WebDAV lock rules of a {@link DavLockTable} to the commands of a transaction:
 * answers the lock commands and says, before each mutation, whether the locks allow it.
 * Pure apart from {@code exists} (the caller's look at the store).
 */
public final class LockGuard {
    private final DavLockTable table;

    public LockGuard(DavLockTable table) {
        this.table = table;
    }

    public DavLockTable table() {
        return table;
    }

    /**
     * The result of a lock command, or for a store command null when the locks allow it and an
     * error when they do not.
     */
    public Result before(Command c, DavLockTable.Held held, long now, Predicate<String> exists) {
        try {
            switch (c) {
                case Command.Lock l -> {
                    if (!exists.test(l.path())) {
                        return new Result.Error(org.pohmelfs.protocol.ErrorCode.NOT_FOUND, l.path() + " does not exist");
                    }
                    return new Result.Locks(java.util.List.of(table.lock(l, now)));
                }
                case Command.LockRefresh r -> {
                    return new Result.Locks(java.util.List.of(table.refresh(r, now)));
                }
                case Command.Unlock u -> {
                    table.unlock(u, now);
                    return new Result.Ok();
                }
                case Command.Locks l -> {
                    return new Result.Locks(l.inside() ? table.coveringOrInside(l.path(), now)
                            : table.covering(l.path(), now));
                }
                case Command.Tokens t -> {
                    return new Result.Ok();
                }
                default -> {
                    if (c.mutates() && !table.isEmpty()) {
                        check(c, held, now, exists);
                    }
                    return null;
                }
            }
        } catch (DavLockTable.LockException e) {
            return new Result.Error(e.code(), e.getMessage());
        }
    }

    private void check(Command c, DavLockTable.Held held, long now, Predicate<String> exists)
            throws DavLockTable.LockException {
        switch (c) {
            case Command.Write w -> table.checkChange(w.path(), held, now);
            case Command.Truncate t -> table.checkChange(t.path(), held, now);
            case Command.SetAttr s -> table.checkChange(s.path(), held, now);
            case Command.XattrSet x -> table.checkChange(x.path(), held, now);
            case Command.XattrRemove x -> table.checkChange(x.path(), held, now);
            case Command.Create cr -> {
                table.checkChange(cr.path(), held, now);
                if (!exists.test(cr.path())) {
                    table.checkMembership(cr.path(), held, now);
                }
            }
            case Command.Mkdir m -> {
                if (!exists.test(m.path())) {
                    table.checkChange(m.path(), held, now);
                    table.checkMembership(m.path(), held, now);
                }
            }
            case Command.Delete d -> removal(d.path(), held, now);
            case Command.Rename r -> {
                removal(r.from(), held, now);
                removal(r.to(), held, now);
            }
            case Command.Copy cp -> removal(cp.to(), held, now);
            default -> { }
        }
    }

    /** Removing or replacing (or creating) the object at {@code path}. */
    private void removal(String path, DavLockTable.Held held, long now) throws DavLockTable.LockException {
        table.checkChange(path, held, now);
        table.checkMembership(path, held, now);
        table.checkTree(path, held, now);
    }

    /** After a store command succeeded: locks on what it deleted or moved away go with it. */
    public void after(Command c) {
        switch (c) {
            case Command.Delete d -> table.dropTree(d.path());
            case Command.Rename r -> table.dropTree(r.from());
            default -> { }
        }
    }
}
