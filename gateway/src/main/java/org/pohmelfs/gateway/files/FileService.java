package org.pohmelfs.gateway.files;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.pohmelfs.gateway.cache.ContentCache;
import org.pohmelfs.gateway.cache.DiskTier;
import org.pohmelfs.gateway.coherence.LeaseCache;
import org.pohmelfs.gateway.coherence.ListingPages;
import org.pohmelfs.gateway.coherence.Slot;
import org.pohmelfs.gateway.nodes.NodeSet;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.Command;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.NodeInfo;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.protocol.Result;
import org.pohmelfs.protocol.Xattr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * File operations in terms of paths, shared by the REST and WebDAV front ends. Everything a
 * front end needs from the storage nodes goes through here; each method is one or a few
 * transactions on the {@link NodeSet}.
 *
 * <p>Uploads are written aside into a staging folder and renamed over the target in one
 * transaction at the end, so a failed upload leaves the previous version intact and no
 * half-written file is ever visible under the target's name.
 */
public final class FileService {
    private static final Logger log = LoggerFactory.getLogger(FileService.class);

    /** Root-level folder holding uploads in progress; hidden from listings, refused in paths. */
    public static final String STAGING = ".pohmelfs-staging";

    private final NodeSet nodes;
    private final String gatewayId;
    private final int chunkSize;
    private final int pipelineDepth;
    /** WebDAV lock tokens sent first in every changing transaction, or null for none. */
    private final Command.Tokens tokens;
    /** The coherent cache, or null: every read goes to the node. */
    private final Caching caching;
    /** The quota figures, cached or not; shared by the copies {@link #withTokens} makes, renewed on every new map. */
    private final java.util.concurrent.atomic.AtomicReference<Mono<NodeInfo>> quota;

    /**
     * The gateway's caches (design.md §3.5): metadata under leases, and content by version, in
     * memory and optionally on disk.
     *
     * @param leases      attributes, listings and xattrs under shared leases
     * @param content     file content blocks of {@code content.blockSize()} bytes (the chunk size)
     * @param maxFileSize larger files are not kept in memory
     * @param disk        the disk tier for blocks of larger files (up to its own limit), or null
     */
    public record Caching(LeaseCache leases, ContentCache content, long maxFileSize, DiskTier disk) {
        public Caching(LeaseCache leases, ContentCache content, long maxFileSize) {
            this(leases, content, maxFileSize, null);
        }

        /** Whether blocks of a file of {@code size} bytes are kept in memory. */
        boolean inMemory(long size) {
            return size <= maxFileSize;
        }

        /** Whether blocks of a file of {@code size} bytes are kept on disk. */
        boolean onDisk(long size) {
            return disk != null && disk.takes(size);
        }

        /** Whether blocks of a file of {@code size} bytes are kept at all (memory or disk). */
        boolean keeps(long size) {
            return inMemory(size) || onDisk(size);
        }
    }

    /** Largest listing kept whole in the cache; larger directories are listed page by page from the node. */
    static final int MAX_CACHED_ENTRIES = 10_000;
    private static final int LISTING_PAGE = 1000;

    public FileService(NodeSet nodes, String gatewayId, int chunkSize, int pipelineDepth) {
        this(nodes, gatewayId, chunkSize, pipelineDepth, null, null, null);
    }

    public FileService(NodeSet nodes, String gatewayId, int chunkSize, int pipelineDepth, Caching caching) {
        this(nodes, gatewayId, chunkSize, pipelineDepth, null, caching, null);
    }

    private FileService(NodeSet nodes, String gatewayId, int chunkSize, int pipelineDepth, Command.Tokens tokens,
                        Caching caching, java.util.concurrent.atomic.AtomicReference<Mono<NodeInfo>> quota) {
        if (caching != null && caching.content().blockSize() != chunkSize) {
            throw new IllegalArgumentException("content blocks must be one chunk (" + chunkSize + " bytes)");
        }
        this.nodes = nodes;
        this.gatewayId = gatewayId;
        this.chunkSize = chunkSize;
        this.pipelineDepth = pipelineDepth;
        this.tokens = tokens;
        this.caching = caching;
        if (quota == null) {
            quota = new java.util.concurrent.atomic.AtomicReference<>(quotaFigures());
            var held = quota;
            // Membership changes the figures (they come from the IN_SYNC members): forget cached ones.
            nodes.replicas().onMap(m -> held.set(quotaFigures()));
        }
        this.quota = quota;
    }

    private Mono<NodeInfo> quotaFigures() {
        return caching == null ? usage() : usage().cache(v -> QUOTA_TTL, e -> java.time.Duration.ZERO,
                () -> java.time.Duration.ZERO);
    }

    /**
     * This service acting for a client that holds the WebDAV lock tokens {@code held} (from an
     * If header): every changing transaction starts with a TOKENS command, so the node lets it
     * touch what those locks cover. Without tokens, a locked path fails with LOCKED.
     */
    public FileService withTokens(String principal, List<String> held) {
        if (held.isEmpty()) {
            return this;
        }
        return new FileService(nodes, gatewayId, chunkSize, pipelineDepth, new Command.Tokens(principal, held), caching,
                quota);
    }

    /** The node set, for services that speak other commands (WebDAV locks). */
    public NodeSet nodes() {
        return nodes;
    }

    /** Sends a changing transaction, with the tokens first when there are any (their result is dropped). */
    private Mono<org.pohmelfs.protocol.Message.Reply> write(List<Command> tx) {
        if (tokens == null) {
            return nodes.write(tx);
        }
        List<Command> all = new ArrayList<>(tx.size() + 1);
        all.add(tokens);
        all.addAll(tx);
        // A node without WebDAV locks has nothing locked: the tokens are left out.
        return nodes.supports(org.pohmelfs.protocol.Handshake.FEATURE_DAVLOCKS)
                .flatMap(locks -> !locks ? nodes.write(tx) : nodes.write(all)
                        .map(r -> new org.pohmelfs.protocol.Message.Reply(r.txid(),
                                r.results().subList(1, r.results().size()))));
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** Cuts a request body into the chunks {@link #upload} sends, one WRITE each. */
    public Flux<ByteBuffer> chunks(Flux<org.springframework.core.io.buffer.DataBuffer> body) {
        return Rechunker.rechunk(body, chunkSize);
    }

    public Mono<Attr> stat(ObjectPath path) {
        if (caching == null) {
            return nodes.read(List.of(new Command.Stat(path.toString())))
                    .map(r -> Replies.result(r, 0, Result.Attrs.class).attr());
        }
        return cachedAttr(path).flatMap(a -> a.map(Mono::just).orElseGet(() -> Mono.error(
                new FileException(ErrorCode.NOT_FOUND, path + " does not exist"))));
    }

    /** Attributes or absent, from the cache under a lease (a negative entry when absent). */
    private Mono<Optional<Attr>> cachedAttr(ObjectPath path) {
        return caching.leases().get(path, Slot.ATTR, send -> send.send(List.of(new Command.Stat(path.toString())))
                .map(r -> Optional.of(Replies.result(r, 0, Result.Attrs.class).attr()))
                .onErrorResume(e -> e instanceof FileException f && f.code() == ErrorCode.NOT_FOUND,
                        e -> Mono.just(Optional.empty())), nodes::read);
    }

    /**
     * The start of an object in one round trip: for a file its attributes and up to
     * {@code maxBytes} from offset 0 (a small file whole); for a directory its attributes and
     * no data.
     */
    public Mono<Head> head(ObjectPath path, int maxBytes) {
        if (caching == null) {
            return headFromNode(path, maxBytes);
        }
        return stat(path).flatMap(attr -> {
            if (attr.isDirectory()) {
                return Mono.just(new Head(attr, null));
            }
            if (!caching.keeps(attr.size())) {
                return headFromNode(path, maxBytes);
            }
            if (attr.size() == 0) {
                return Mono.just(new Head(attr, ByteBuffer.allocate(0)));
            }
            return block(path, attr, 0, false).map(h -> {
                ByteBuffer b = h.data();
                return new Head(h.attr(), b.slice(0, Math.min(Math.max(0, maxBytes), b.remaining())));
            });
        });
    }

    /**
     * Block {@code index} of the file at {@code attr}'s version: from memory, else from the disk
     * tier (promoted to memory when the file is small enough for it), else read from the node and
     * kept (in memory, or offered to the disk tier). When the node has another version: with
     * {@code strict} an ABORTED error, else the node's attributes and bytes (not kept).
     */
    private Mono<Head> block(ObjectPath path, Attr attr, long index, boolean strict) {
        ContentCache content = caching.content();
        boolean inMemory = caching.inMemory(attr.size());
        if (inMemory) {
            Optional<ByteBuffer> hit = content.get(path, attr.version(), index);
            if (hit.isPresent()) {
                caching.leases().metrics().hit("content");
                caching.leases().metrics().served(hit.get().remaining());
                return Mono.just(new Head(attr, hit.get()));
            }
            caching.leases().metrics().miss("content");
        }
        Mono<Head> fromNode = Mono.defer(() -> blockFromNode(path, attr, index, strict, inMemory));
        if (!caching.onDisk(attr.size())) {
            return fromNode;
        }
        return caching.disk().get(path, attr.version(), index).flatMap(found -> {
            if (found.isEmpty()) {
                caching.leases().metrics().miss("disk");
                return fromNode;
            }
            caching.leases().metrics().hit("disk");
            if (inMemory) {
                content.put(path, attr.version(), index, found.get());
            }
            return Mono.just(new Head(attr, found.get()));
        });
    }

    private Mono<Head> blockFromNode(ObjectPath path, Attr attr, long index, boolean strict, boolean inMemory) {
        long from = index * chunkSize;
        int n = (int) Math.min(chunkSize, attr.size() - from);
        String p = path.toString();
        return nodes.readChecked(List.of(new Command.Read(p, from, n)), r -> hasVersion(r, attr.version(), n))
                .map(r -> Replies.result(r, 0, Result.Data.class))
                .map(d -> {
                    if (d.attr().version() != attr.version() || d.data().remaining() != n) {
                        if (strict) {
                            throw new FileException(ErrorCode.ABORTED, p + " changed while it was read");
                        }
                        return new Head(d.attr(), d.data());
                    }
                    if (inMemory) {
                        caching.content().put(path, attr.version(), index, d.data());
                    } else if (caching.onDisk(attr.size())) {
                        caching.disk().offer(path, attr.version(), index, d.data());
                    }
                    return new Head(attr, d.data());
                });
    }

    /**
     * Whether a READ reply is {@code n} bytes of {@code version}: such bytes are the same on every
     * replica (a version names one content, design.md §4.5), so any in-sync node may serve them.
     */
    private static boolean hasVersion(org.pohmelfs.protocol.Message.Reply r, long version, int n) {
        return r.results().size() == 1 && r.results().getFirst() instanceof Result.Data d
                && d.attr().version() == version && d.data().remaining() == n;
    }

    private Mono<Head> headFromNode(ObjectPath path, int maxBytes) {
        return nodes.read(List.of(new Command.Read(path.toString(), 0, maxBytes)))
                .map(r -> {
                    Result.Data d = Replies.result(r, 0, Result.Data.class);
                    return new Head(d.attr(), d.data());
                })
                .onErrorResume(e -> e instanceof FileException f && f.code() == ErrorCode.IS_DIRECTORY,
                        e -> stat(path).map(attr -> new Head(attr, null)));
    }

    /** An object's attributes and, for a file, its first bytes (null for a directory). */
    public record Head(Attr attr, ByteBuffer data) {
        /** Whether the bytes [from, from + length) are all in {@link #data()}. */
        public boolean covers(long from, long length) {
            return data != null && from + length <= data.remaining();
        }
    }

    /** Attributes, or empty when the object does not exist. */
    public Mono<Attr> find(ObjectPath path) {
        if (caching != null) {
            return cachedAttr(path).flatMap(Mono::justOrEmpty);
        }
        return stat(path).onErrorResume(e -> e instanceof FileException f && f.code() == ErrorCode.NOT_FOUND,
                e -> Mono.empty());
    }

    /**
     * What {@link #find} would give right now if it needs no node request: the attributes (or
     * a cached absence, {@code Optional.of(Optional.empty())}) held under a valid lease, or empty
     * when {@link #find} would have to load them. Synchronous, for the WebDAV fast GET's hot
     * path; a hit is counted as {@link #find} counts it, a miss is not (the {@link #find} that
     * follows counts it).
     */
    public Optional<Optional<Attr>> findCached(ObjectPath path) {
        return caching == null ? Optional.empty() : caching.leases().peek(path, Slot.ATTR);
    }

    /**
     * The whole content of a file of at most one chunk at the version of {@code attr} if the
     * memory cache holds it (what {@link #read} of the whole file would give without a node or
     * disk request), else empty. Synchronous, a read-only buffer; a hit is counted as
     * {@link #read} counts it, a miss is not (the {@link #read} that follows counts it).
     */
    public Optional<ByteBuffer> readCached(ObjectPath path, Attr attr) {
        if (caching == null || attr.isDirectory() || attr.size() > chunkSize || !caching.inMemory(attr.size())) {
            return Optional.empty();
        }
        if (attr.size() == 0) {
            return Optional.of(ByteBuffer.allocate(0));
        }
        Optional<ByteBuffer> hit = caching.content().peek(path, attr.version(), 0);
        if (hit.isPresent()) {
            caching.leases().metrics().hit("content");
            caching.leases().metrics().served(hit.get().remaining());
        }
        return hit;
    }

    /** One page of a directory, staging folder left out. */
    public Mono<Result.Listing> list(ObjectPath dir, String startAfter, int limit) {
        if (caching == null) {
            return listFromNode(dir, startAfter, limit);
        }
        return caching.leases().get(dir, Slot.LISTING, send -> completeListing(dir, send), nodes::read)
                .flatMap(whole -> whole.isPresent()
                        ? Mono.just(ListingPages.page(whole.get(), startAfter, limit))
                                .map(l -> dir.isRoot() ? withoutStaging(l) : l)
                        : listFromNode(dir, startAfter, limit));
    }

    /** The whole listing, page by page, or empty when it has more than {@link #MAX_CACHED_ENTRIES} entries. */
    private static Mono<Optional<Result.Listing>> completeListing(ObjectPath dir, LeaseCache.Sender send) {
        String p = dir.toString();
        AtomicInteger seen = new AtomicInteger();
        return send.send(List.of(new Command.List(p, "", LISTING_PAGE)))
                .map(r -> Replies.result(r, 0, Result.Listing.class))
                .expand(page -> page.more() && !page.entries().isEmpty()
                        && seen.addAndGet(page.entries().size()) < MAX_CACHED_ENTRIES
                        ? send.send(List.of(new Command.List(p, page.entries().getLast().name(), LISTING_PAGE)))
                                .map(r -> Replies.result(r, 0, Result.Listing.class))
                        : Mono.empty())
                .collectList()
                .map(pages -> {
                    if (pages.getLast().more()) {
                        return Optional.empty();
                    }
                    List<org.pohmelfs.protocol.DirEntry> all = new ArrayList<>();
                    pages.forEach(pg -> all.addAll(pg.entries()));
                    return Optional.of(new Result.Listing(pages.getFirst().directory(), List.copyOf(all), false));
                });
    }

    private Mono<Result.Listing> listFromNode(ObjectPath dir, String startAfter, int limit) {
        return nodes.read(List.of(new Command.List(dir.toString(), startAfter, limit)))
                .map(r -> Replies.result(r, 0, Result.Listing.class))
                .map(l -> dir.isRoot() ? withoutStaging(l) : l);
    }

    /** Every entry of a directory, page by page. */
    public Flux<org.pohmelfs.protocol.DirEntry> listAll(ObjectPath dir, int pageSize) {
        return list(dir, "", pageSize).expand(page -> page.more() && !page.entries().isEmpty()
                        ? list(dir, page.entries().getLast().name(), pageSize) : Mono.empty())
                .concatMapIterable(Result.Listing::entries);
    }

    private static Result.Listing withoutStaging(Result.Listing l) {
        if (l.entries().stream().noneMatch(e -> e.name().equals(STAGING))) {
            return l;
        }
        return new Result.Listing(l.directory(), l.entries().stream().filter(e -> !e.name().equals(STAGING)).toList(),
                l.more());
    }

    /**
     * Reads {@code length} bytes from {@code offset} as a stream of chunks, several in flight.
     * Fails (ending the stream early) if the file changes while it is read, so a client never
     * gets a mix of two versions under one ETag.
     */
    public Flux<ByteBuffer> read(ObjectPath path, Attr expected, long offset, long length) {
        if (length <= 0) {
            return Flux.empty();
        }
        if (caching != null && caching.keeps(expected.size()) && offset + length <= expected.size()) {
            long first = offset / chunkSize;
            long last = (offset + length - 1) / chunkSize;
            return Flux.range(0, (int) (last - first + 1))
                    .flatMapSequential(i -> {
                        long index = first + i;
                        long start = index * chunkSize;
                        return block(path, expected, index, true).map(h -> {
                            int from = (int) Math.max(0, offset - start);
                            int to = (int) Math.min(h.data().remaining(), offset + length - start);
                            return h.data().slice(from, to - from);
                        });
                    }, pipelineDepth, 1);
        }
        long chunks = (length + chunkSize - 1) / chunkSize;
        String p = path.toString();
        // Each chunk is placed on its own (split reads, design.md §4.3) and checked against the
        // version the read started with, so chunks from different replicas make one version.
        return Flux.defer(() -> {
            var reader = nodes.chunkedRead();
            return Flux.range(0, (int) chunks)
                    .flatMapSequential(i -> {
                        long from = offset + (long) i * chunkSize;
                        int n = (int) Math.min(chunkSize, offset + length - from);
                        return reader.read(i, List.of(new Command.Read(p, from, n)),
                                        r -> hasVersion(r, expected.version(), n))
                                .map(r -> Replies.result(r, 0, Result.Data.class))
                                .map(d -> {
                                    if (d.attr().version() != expected.version()) {
                                        throw new FileException(ErrorCode.ABORTED, p + " changed while it was read");
                                    }
                                    if (d.data().remaining() != n) {
                                        throw new FileException(ErrorCode.ABORTED, p + " shrank while it was read");
                                    }
                                    return d.data();
                                });
                    }, reader.concurrency(pipelineDepth), 1);
        });
    }

    /**
     * Stores a whole new content for {@code path}: written aside, then renamed over the target.
     *
     * @param parents create missing parent folders
     * @param expect  a precondition checked right before the rename, or null
     */
    public Mono<Attr> upload(ObjectPath path, Flux<ByteBuffer> chunks, boolean parents, Precondition expect) {
        ObjectPath staging = ObjectPath.ROOT.child(STAGING).child(gatewayId + "-" + UUID.randomUUID());
        String sp = staging.toString();
        Mono<Void> begin = write(List.of(new Command.Mkdir(staging.parent().toString(), true, 0700),
                        new Command.Create(sp, true, false, 0644)))
                .doOnNext(Replies::check).then();
        // The chunks go unstable (protocol §4.8): a node answers each without forcing it, and the
        // COMMIT that opens the final transaction forces them all at once. A node that restarted
        // in between answers that COMMIT with UNSTABLE_LOST: its transaction aborts, no RENAME.
        Mono<Long> body = chunks.index()
                .flatMapSequential(t -> write(List.of(new Command.Write(sp, t.getT1() * chunkSize, t.getT2(), false,
                                true)))
                        .doOnNext(Replies::check)
                        .thenReturn(1L), pipelineDepth, 1)
                .reduce(0L, Long::sum);
        Mono<Attr> commit = body.flatMap(written -> {
            Mono<Void> check = expect == null ? Mono.empty() : find(path).map(java.util.Optional::of)
                    .defaultIfEmpty(java.util.Optional.empty())
                    .doOnNext(current -> expect.check(current.orElse(null))).then();
            List<Command> tx = new ArrayList<>();
            if (written > 0) {
                tx.add(new Command.Commit(sp));
            }
            if (parents && !path.parent().isRoot()) {
                tx.add(new Command.Mkdir(path.parent().toString(), true, 0755));
            }
            tx.add(new Command.Rename(sp, path.toString(), false));
            int renameIndex = tx.size() - 1;
            return check.then(write(tx)).map(r -> Replies.result(r, renameIndex, Result.Attrs.class).attr());
        });
        return begin.then(commit)
                .onErrorResume(e -> discard(sp).then(Mono.error(e)))
                .doOnCancel(() -> discard(sp).subscribe());
    }

    /**
     * Stores a small content (at most one chunk) in ONE transaction: create-or-truncate, write,
     * and (with {@code parents}) the missing folders. All or nothing on the node, so no staging
     * is needed and no reader can see a partial file.
     */
    public Mono<Attr> uploadSmall(ObjectPath path, ByteBuffer data, boolean parents, Precondition expect) {
        if (data.remaining() > chunkSize) {
            return Mono.error(new IllegalArgumentException("uploadSmall takes at most one chunk"));
        }
        Mono<Void> check = expect == null ? Mono.empty() : find(path).map(java.util.Optional::of)
                .defaultIfEmpty(java.util.Optional.empty())
                .doOnNext(current -> expect.check(current.orElse(null))).then();
        return check.then(writeSmall(path, data, parents, false));
    }

    /**
     * Stores a small content without looking first: creates it exclusively, or, when it
     * exists, replaces it; each attempt is one all-or-nothing transaction.
     */
    public Mono<Stored> putSmall(ObjectPath path, ByteBuffer data, boolean parents) {
        return writeSmall(path, data, parents, true).map(attr -> new Stored(attr, true))
                .onErrorResume(e -> e instanceof FileException f && f.code() == ErrorCode.EXISTS,
                        e -> writeSmall(path, data, parents, false).map(attr -> new Stored(attr, false)));
    }

    /** The result of a store: the new attributes and whether the object was created. */
    public record Stored(Attr attr, boolean created) {
    }

    private Mono<Attr> writeSmall(ObjectPath path, ByteBuffer data, boolean parents, boolean exclusive) {
        List<Command> tx = new ArrayList<>();
        if (parents && !path.parent().isRoot()) {
            tx.add(new Command.Mkdir(path.parent().toString(), true, 0755));
        }
        tx.add(new Command.Create(path.toString(), exclusive, false, 0644));
        if (data.hasRemaining()) {
            tx.add(new Command.Write(path.toString(), 0, data.duplicate(), false));
        }
        int last = tx.size() - 1;
        return write(tx).map(r -> Replies.result(r, last, Result.Attrs.class).attr());
    }

    private Mono<Void> discard(String stagingPath) {
        return write(List.of(new Command.Delete(stagingPath, false)))
                .doOnNext(r -> {
                    if (!r.ok()) {
                        log.debug("discarding {}: {}", stagingPath, r.firstError());
                    }
                })
                .onErrorResume(e -> {
                    log.warn("could not discard staging file {}: {}", stagingPath, e.toString());
                    return Mono.empty();
                })
                .then();
    }

    public Mono<Attr> mkdir(ObjectPath path, boolean parents) {
        return write(List.of(new Command.Mkdir(path.toString(), parents, 0755)))
                .map(r -> Replies.result(r, 0, Result.Attrs.class).attr());
    }

    public Mono<Void> delete(ObjectPath path, boolean recursive) {
        return write(List.of(new Command.Delete(path.toString(), recursive))).doOnNext(Replies::check).then();
    }

    public Mono<Attr> move(ObjectPath from, ObjectPath to, boolean overwrite) {
        return write(List.of(new Command.Rename(from.toString(), to.toString(), !overwrite)))
                .map(r -> Replies.result(r, 0, Result.Attrs.class).attr());
    }

    /** Copies; with {@code overwrite} an existing target is replaced (a directory replaced whole). */
    public Mono<Attr> copy(ObjectPath from, ObjectPath to, boolean overwrite) {
        List<Command> tx = new ArrayList<>();
        if (overwrite) {
            return find(to).flatMap(existing -> write(List.of(new Command.Delete(to.toString(), true),
                            new Command.Copy(from.toString(), to.toString(), true)))
                            .map(r -> Replies.result(r, 1, Result.Attrs.class).attr()))
                    .switchIfEmpty(Mono.defer(() -> copy(from, to, false)));
        }
        tx.add(new Command.Copy(from.toString(), to.toString(), true));
        return write(tx).map(r -> Replies.result(r, 0, Result.Attrs.class).attr());
    }

    public Mono<Attr> setAttributes(ObjectPath path, long mtimeNanos, int mode) {
        return write(List.of(new Command.SetAttr(path.toString(), mtimeNanos, mode)))
                .map(r -> Replies.result(r, 0, Result.Attrs.class).attr());
    }

    public Mono<List<Xattr>> xattrs(ObjectPath path) {
        if (caching != null) {
            // Kept as private copies, handed out as read-only views: a caller may consume a buffer.
            return caching.leases().get(path, Slot.XATTRS, send -> xattrsFrom(path, send).map(FileService::copies),
                    nodes::read).map(all -> all.stream().map(x -> new Xattr(x.name(), x.value().asReadOnlyBuffer()))
                    .toList());
        }
        return xattrsFrom(path, nodes::read);
    }

    private static List<Xattr> copies(List<Xattr> xattrs) {
        return xattrs.stream().map(x -> {
            ByteBuffer c = ByteBuffer.allocate(x.value().remaining());
            c.put(x.value().duplicate()).flip();
            return new Xattr(x.name(), c);
        }).toList();
    }

    private static Mono<List<Xattr>> xattrsFrom(ObjectPath path, LeaseCache.Sender send) {
        return send.send(List.of(new Command.XattrList(path.toString())))
                .map(r -> Replies.result(r, 0, Result.Xattrs.class).xattrs());
    }

    public Mono<ByteBuffer> xattr(ObjectPath path, String name) {
        if (caching != null) {
            // Served from the cached list when the name is in it; otherwise the node gives the right error.
            return xattrs(path).flatMap(all -> all.stream().filter(x -> x.name().equals(name)).findFirst()
                    .map(x -> Mono.just(x.value().duplicate())).orElseGet(() -> xattrFromNode(path, name)));
        }
        return xattrFromNode(path, name);
    }

    private Mono<ByteBuffer> xattrFromNode(ObjectPath path, String name) {
        return nodes.read(List.of(new Command.XattrGet(path.toString(), name)))
                .map(r -> Replies.result(r, 0, Result.XattrValue.class).value());
    }

    /** Sets several extended attributes and removes others, all in one transaction. */
    public Mono<Void> updateXattrs(ObjectPath path, List<Xattr> set, List<String> remove) {
        List<Command> tx = new ArrayList<>();
        for (Xattr x : set) {
            tx.add(new Command.XattrSet(path.toString(), x.name(), x.value()));
        }
        for (String name : remove) {
            tx.add(new Command.XattrRemove(path.toString(), name));
        }
        if (tx.isEmpty()) {
            return Mono.empty();
        }
        return write(tx).doOnNext(Replies::check).then();
    }

    /**
     * The export's capacity and usage as clients see it: from every IN_SYNC member's STATFS
     * (available = the least any member has left, since each stores everything; see
     * {@link org.pohmelfs.gateway.replication.ClusterUsage}), so it follows the membership.
     */
    public Mono<NodeInfo> usage() {
        return nodes.usage();
    }

    /**
     * Usage for WebDAV's quota properties, which RFC 4331 allows to be approximate: with the cache
     * on, kept for {@link #QUOTA_TTL}, so a hot PROPFIND of a collection sends nothing to the node.
     * No lease covers it; REST's usage stays exact.
     */
    public Mono<NodeInfo> quota() {
        return quota.get();
    }

    static final java.time.Duration QUOTA_TTL = java.time.Duration.ofSeconds(10);

    /** A check of the target's current state made right before an upload replaces it. */
    @FunctionalInterface
    public interface Precondition {
        /** Throws {@link FileException} (PRECONDITION) if the upload must not replace {@code current}. */
        void check(Attr current);
    }

    /**
     * Writes {@code length} bytes, arriving as {@code chunks}, in place from {@code offset}
     * into the existing file {@code path} (NOT_FOUND when it does not exist; a write past the
     * end extends it): one WRITE transaction per chunk, several in flight. With
     * {@code newSize} >= 0 the last chunk's transaction also sets the file's size (which must
     * then be at least {@code offset + length}). {@code expect} is checked against the current
     * attributes first, not atomically with the writes. Chunks come in order, all but the last
     * exactly {@link #chunkSize()} long, as {@link #chunks} cuts them; a body of another length
     * fails with INVALID_ARGUMENT (after what came has been written). Returns the attributes
     * after the newest write (node versions only grow).
     */
    public Mono<Attr> patch(ObjectPath path, long offset, long length, Flux<ByteBuffer> chunks, long newSize,
                            Precondition expect) {
        String p = path.toString();
        long lastChunk = (length - 1) / chunkSize;
        Mono<Void> check = expect == null ? Mono.empty() : stat(path).doOnNext(expect::check).then();
        Flux<Attr> written = chunks.index().flatMapSequential(t -> {
            long from = t.getT1() * chunkSize;
            int n = t.getT2().remaining();
            boolean last = t.getT1() == lastChunk;
            if (t.getT1() > lastChunk || n != (last ? length - from : chunkSize)) {
                return Mono.error(new FileException(ErrorCode.INVALID_ARGUMENT,
                        "the body is not the " + length + " bytes the range announces"));
            }
            List<Command> tx = new ArrayList<>(2);
            tx.add(new Command.Write(p, offset + from, t.getT2(), false));
            if (last && newSize >= 0) {
                tx.add(new Command.Truncate(p, newSize));
            }
            int attrs = tx.size() - 1;
            return write(tx).map(r -> Replies.result(r, attrs, Result.Attrs.class).attr());
        }, pipelineDepth, 1);
        // Versions are stamps, not counters (design 4.5): which of several chunks the node
        // applied last is not known from the replies, so a patch of several chunks answers
        // with the attributes read after all of them.
        Mono<Attr> newest = written.collectList().flatMap(all -> {
            if (all.size() != lastChunk + 1) {
                return Mono.error(new FileException(ErrorCode.INVALID_ARGUMENT, "the body is shorter than the "
                        + length + " bytes the range announces"));
            }
            return all.size() == 1 ? Mono.just(all.getFirst()) : stat(path);
        });
        return check.then(newest);
    }
}
