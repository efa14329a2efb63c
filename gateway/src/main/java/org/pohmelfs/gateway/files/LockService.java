package org.pohmelfs.gateway.files;

import java.util.ArrayList;
import java.util.List;
import org.pohmelfs.gateway.nodes.NodeSet;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.DavLock;
import org.pohmelfs.protocol.Handshake;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.protocol.Result;
import reactor.core.publisher.Mono;

/**
 * WebDAV locks, held by the storage node (commands 0x0060-0x0064): the gateway keeps none, so
 * every gateway and the REST API see the same locks. Failures arrive as {@link FileException}
 * (LOCKED for a conflict, NO_SUCH_LOCK for a token that names no lock of this principal here).
 */
public final class LockService {
    private final NodeSet nodes;

    public LockService(NodeSet nodes) {
        this.nodes = nodes;
    }

    /** The result of a LOCK: the lock and whether an empty file was created for it. */
    public record Taken(DavLock lock, boolean created) {
    }

    /**
     * Locks {@code path}; when it does not exist, creates it empty in the same transaction
     * (RFC 4918 section 9.10.4), which the submitted tokens must allow.
     */
    public Mono<Taken> lock(ObjectPath path, boolean exclusive, boolean infinite, String owner, String principal,
                            int timeoutSeconds, List<String> held) {
        String p = path.toString();
        // The gateway names the token: every replica must store the same one (design.md §4.2).
        Command.Lock lock = new Command.Lock(p, exclusive, infinite, owner, principal, timeoutSeconds,
                "opaquelocktoken:" + java.util.UUID.randomUUID());
        return requireFeature().then(nodes.read(List.of(new Command.Stat(p))))
                .flatMap(stat -> {
                    boolean missing = !stat.ok();
                    List<Command> tx = new ArrayList<>();
                    tx.add(new Command.Tokens(principal, held));
                    if (missing) {
                        tx.add(new Command.Create(p, true, false, 0644));
                    }
                    tx.add(lock);
                    int last = tx.size() - 1;
                    return nodes.write(tx).map(r -> new Taken(
                            Replies.result(r, last, Result.Locks.class).locks().getFirst(), missing));
                });
    }

    /** Fails with UNSUPPORTED (501) if the node did not negotiate "davlocks" (an older node): UNSUPPORTED (501). */
    private Mono<Void> requireFeature() {
        return nodes.supports(Handshake.FEATURE_DAVLOCKS).flatMap(ok -> ok ? Mono.<Void>empty()
                : Mono.error(new FileException(org.pohmelfs.protocol.ErrorCode.UNSUPPORTED,
                        "the storage node does not hold WebDAV locks (no davlocks feature)")));
    }

    /** Refreshes the first of {@code tokens} that names a lock of this principal covering {@code path}. */
    public Mono<DavLock> refresh(ObjectPath path, List<String> tokens, String principal, int timeoutSeconds) {
        if (tokens.isEmpty()) {
            return Mono.error(new FileException(org.pohmelfs.protocol.ErrorCode.NO_SUCH_LOCK, "no lock token submitted"));
        }
        return nodes.write(List.of(new Command.LockRefresh(path.toString(), tokens.getFirst(), principal, timeoutSeconds)))
                .map(r -> Replies.result(r, 0, Result.Locks.class).locks().getFirst())
                .onErrorResume(e -> tokens.size() > 1 && e instanceof FileException,
                        e -> refresh(path, tokens.subList(1, tokens.size()), principal, timeoutSeconds));
    }

    public Mono<Void> unlock(ObjectPath path, String token, String principal) {
        return nodes.write(List.of(new Command.Unlock(path.toString(), token, principal)))
                .doOnNext(Replies::check).then();
    }

    /** The live locks covering {@code path}; with {@code inside} also those rooted below it. */
    public Mono<List<DavLock>> locks(ObjectPath path, boolean inside) {
        return nodes.read(List.of(new Command.Locks(path.toString(), inside)))
                .map(r -> Replies.result(r, 0, Result.Locks.class).locks());
    }
}
