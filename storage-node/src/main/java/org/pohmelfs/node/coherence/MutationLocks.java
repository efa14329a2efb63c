package org.pohmelfs.node.coherence;

import java.util.List;
import java.util.TreeMap;
import org.pohmelfs.coherence.LockMode;
import org.pohmelfs.coherence.LockScope;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ObjectPath;

/**
 * Which locks a transaction needs before it is applied (design.md §3.1 "What a command takes").
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
                case Command.Write w -> {
                    x(needs, w.path(), LockScope.OBJECT);
                    if (w.create()) {
                        parent(needs, w.path());
                    }
                }
                case Command.Truncate t -> x(needs, t.path(), LockScope.OBJECT);
                case Command.SetAttr s -> x(needs, s.path(), LockScope.OBJECT);
                case Command.XattrSet s -> x(needs, s.path(), LockScope.OBJECT);
                case Command.XattrRemove r -> x(needs, r.path(), LockScope.OBJECT);
                case Command.Create cr -> created(needs, cr.path(), cr.parents());
                case Command.Mkdir m -> created(needs, m.path(), m.parents());
                case Command.Delete d -> {
                    x(needs, d.path(), d.recursive() ? LockScope.SUBTREE : LockScope.OBJECT);
                    parent(needs, d.path());
                }
                case Command.Rename r -> {
                    x(needs, r.from(), LockScope.SUBTREE);
                    x(needs, r.to(), LockScope.SUBTREE);
                    parent(needs, r.from());
                    parent(needs, r.to());
                }
                case Command.Copy cp -> {
                    add(needs, cp.from(), LockMode.SHARED, LockScope.SUBTREE);
                    x(needs, cp.to(), LockScope.SUBTREE);
                    parent(needs, cp.to());
                }
                case Command.Ping p -> { }
                case Command.Statfs s -> { }
                case Command.Sync s -> { }
                case Command.Stat s -> { }
                case Command.List l -> { }
                case Command.Read r -> { }
                case Command.XattrGet g -> { }
                case Command.XattrList l -> { }
                case Command.Acquire a -> { }
                case Command.Release r -> { }
                case Command.Renew r -> { }
                case Command.Downgrade d -> { }
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

    /** CREATE and MKDIR change the parent's listing; with {@code parents}, every ancestor's may change. */
    private static void created(TreeMap<ObjectPath, Need> needs, String path, boolean parents) {
        x(needs, path, LockScope.OBJECT);
        ObjectPath p = parse(path);
        if (p == null) {
            return;
        }
        while (!p.isRoot()) {
            p = p.parent();
            add(needs, p, LockMode.EXCLUSIVE, LockScope.OBJECT);
            if (!parents) {
                break;
            }
        }
    }

    private static void parent(TreeMap<ObjectPath, Need> needs, String path) {
        ObjectPath p = parse(path);
        if (p != null && !p.isRoot()) {
            add(needs, p.parent(), LockMode.EXCLUSIVE, LockScope.OBJECT);
        }
    }

    private static void x(TreeMap<ObjectPath, Need> needs, String path, LockScope scope) {
        add(needs, path, LockMode.EXCLUSIVE, scope);
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
