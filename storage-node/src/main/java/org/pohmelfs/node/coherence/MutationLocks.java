package org.pohmelfs.node.coherence;

import java.util.List;
import java.util.TreeMap;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ObjectPath;

/**
 * Which locks a transaction needs before it is applied (design.md §3.1 "What a command takes",
 * §3.4): EXCLUSIVE on what it changes, INTENT on every proper ancestor.
 * Pure. The driver takes them as transient locks for a connection that sends a mutation, so the
 * leases of every other connection on those objects are recalled first.
 */
public final class MutationLocks {
    private MutationLocks() {
    }

    /** One lock: mode and scope on a path. */
    public record Need(ObjectPath path, LockMode mode, LockScope scope) {
    }

    /**
     * The locks of every mutating command of a transaction, one per path (the strongest mode and
     * widest scope asked for it), in {@code ObjectPath} order. Paths that do not parse are left
     * out: the store refuses the command anyway.
     */
    public static List<Need> of(List<Command> commands) {
        TreeMap<ObjectPath, Need> needs = new TreeMap<>();
        for (Command c : commands) {
            switch (c) {
                case Command.Write w -> changed(needs, w.path(), LockScope.OBJECT);
                case Command.Truncate t -> changed(needs, t.path(), LockScope.OBJECT);
                case Command.SetAttr s -> changed(needs, s.path(), LockScope.OBJECT);
                case Command.XattrSet s -> changed(needs, s.path(), LockScope.OBJECT);
                case Command.XattrRemove r -> changed(needs, r.path(), LockScope.OBJECT);
                case Command.Create cr -> changed(needs, cr.path(), LockScope.OBJECT);
                case Command.Mkdir m -> changed(needs, m.path(), LockScope.OBJECT);
                case Command.Delete d -> changed(needs, d.path(), d.recursive() ? LockScope.SUBTREE : LockScope.OBJECT);
                case Command.Rename r -> {
                    changed(needs, r.from(), LockScope.SUBTREE);
                    changed(needs, r.to(), LockScope.SUBTREE);
                }
                case Command.Copy cp -> {
                    add(needs, cp.from(), LockMode.SHARED, LockScope.SUBTREE);
                    changed(needs, cp.to(), LockScope.SUBTREE);
                }
                case Command.Ping p -> { }
                case Command.Statfs s -> { }
                case Command.Sync s -> { }
                case Command.Commit k -> { }
                case Command.Stat s -> { }
                case Command.List l -> { }
                case Command.Read r -> { }
                case Command.Checksum cs -> { }
                case Command.XattrGet g -> { }
                case Command.XattrList l -> { }
                case Command.Acquire a -> { }
                case Command.Release r -> { }
                case Command.Renew r -> { }
                case Command.Downgrade d -> { }
                // HOLD keeps the others' locks; UNHOLD travels alone.
                case Command.Hold h -> { }
                case Command.Unhold u -> { }
                // WebDAV locks change no content, listing or attributes a cache holds.
                case Command.Lock l -> { }
                case Command.LockRefresh l -> { }
                case Command.Unlock u -> { }
                case Command.Locks l -> { }
                case Command.Tokens t -> { }
            }
        }
        return List.copyOf(needs.values());
    }

    /**
     * A change at {@code path}: EXCLUSIVE on the path itself ({@code scope} SUBTREE when the
     * change reaches below it), INTENT on every proper ancestor up to the root (design §3.4): the
     * change alters each ancestor's version and its parent's listing, so their SHARED leases are
     * recalled, while writers below one directory do not exclude each other. A create or delete
     * needs nothing more: the parent's listing is covered by its INTENT. Two creates of one name
     * meet on the name's EXCLUSIVE lock.
     */
    private static void changed(TreeMap<ObjectPath, Need> needs, String path, LockScope scope) {
        ObjectPath p = parse(path);
        if (p == null) {
            return;
        }
        add(needs, p, LockMode.EXCLUSIVE, scope);
        while (!p.isRoot()) {
            p = p.parent();
            add(needs, p, LockMode.INTENT, LockScope.OBJECT);
        }
    }

    private static void add(TreeMap<ObjectPath, Need> needs, String path, LockMode mode, LockScope scope) {
        ObjectPath p = parse(path);
        if (p != null) {
            add(needs, p, mode, scope);
        }
    }

    private static void add(TreeMap<ObjectPath, Need> needs, ObjectPath p, LockMode mode, LockScope scope) {
        needs.merge(p, new Need(p, mode, scope),
                (a, b) -> new Need(p, a.mode().join(b.mode()), a.scope().max(b.scope())));
    }

    private static ObjectPath parse(String path) {
        try {
            return ObjectPath.parse(path);
        } catch (ObjectPath.InvalidPathException e) {
            return null;
        }
    }
}
