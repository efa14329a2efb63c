package org.pohmelfs.gateway.rest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import org.pohmelfs.gateway.files.FileException;
import org.pohmelfs.gateway.files.FileService;
import org.pohmelfs.gateway.http.ContentRange;
import org.pohmelfs.gateway.http.HttpProblem;
import org.pohmelfs.gateway.http.PathCodec;
import org.pohmelfs.gateway.http.Preconditions;
import org.pohmelfs.gateway.security.Account;
import org.pohmelfs.gateway.security.Accounts;
import org.pohmelfs.gateway.security.PathView;
import org.springframework.security.core.Authentication;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;
import org.pohmelfs.protocol.Xattr;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRange;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The REST API over the file tree, made for curl: {@code /api/v1/files/PATH} is a file's
 * content or a directory's JSON listing; PUT uploads, DELETE removes, POST runs an action
 * (mkdir, move, copy); {@code /api/v1/xattrs/PATH} holds extended attributes and
 * {@code /api/v1/usage} the export's figures. Errors are RFC 9457 problem+json.
 */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "files", description = "Files and directories")
class FilesController {
    static final String FILES = "/api/v1/files";
    static final String XATTRS = "/api/v1/xattrs";
    private static final int MAX_XATTR_VALUE = 64 * 1024;
    /** A GET reads this much with the attributes in its first round trip: small files need no second. */
    private static final int HEAD_BYTES = 64 * 1024;
    /** How many times a GET whose file changed before its first byte was sent starts over. */
    static final int STALE_RETRIES = 3;

    private final FileService files;
    private final int listPageMax;
    private final JsonMapper json;

    FilesController(FileService files, RestSettings settings, JsonMapper json) {
        this.files = files;
        this.listPageMax = settings.listPageMax();
        this.json = json;
    }

    /**
     * The real path a request names: its URL path after {@code prefix}, decoded strictly and
     * placed in the user's view ({@link PathView}).
     */
    private static ObjectPath path(ServerHttpRequest request, String prefix, PathView view) {
        String raw = request.getPath().pathWithinApplication().value();
        return view.inward(PathCodec.decode(raw.length() <= prefix.length() ? "/" : raw.substring(prefix.length())));
    }

    /** The view of the request's user (the whole tree when authentication is off). */
    static PathView view(java.security.Principal principal) {
        return PathView.of(principal instanceof Authentication a ? Accounts.of(a) : Account.ANONYMOUS);
    }

    /** The URL of a real path, as its user sees it. */
    private static URI url(PathView view, ObjectPath real) {
        return URI.create(FILES + PathCodec.encode(view.outward(real)));
    }

    @Operation(summary = "Download a file (Range and conditional requests supported) or list a directory (JSON, paged)")
    @GetMapping("/files/**")
    Mono<ResponseEntity<Flux<DataBuffer>>> get(ServerHttpRequest request, java.security.Principal principal,
                                @Parameter(description = "listing cursor: the last name of the previous page")
                                @RequestParam(defaultValue = "") String after,
                                @RequestParam(defaultValue = "1000") int limit) {
        PathView view = view(principal);
        ObjectPath path = path(request, FILES, view);
        HttpHeaders in = request.getHeaders();
        // A file that changes (or goes) between the head and the first chunk of a larger read is
        // served again from a fresh head, as if the GET came now: nothing has been sent yet.
        return Mono.defer(() -> getOnce(view, path, in, after, limit))
                .retryWhen(Retry.max(STALE_RETRIES).filter(FilesController::stale)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    private static boolean stale(Throwable e) {
        return e instanceof FileException f && f.code() == ErrorCode.ABORTED;
    }

    private Mono<ResponseEntity<Flux<DataBuffer>>> getOnce(PathView view, ObjectPath path, HttpHeaders in, String after,
                                                           int limit) {
        return files.head(path, HEAD_BYTES).flatMap(head -> {
            Attr attr = head.attr();
            switch (Preconditions.evaluate(in, attr, true)) {
                case NOT_MODIFIED -> {
                    return Mono.just(ResponseEntity.status(HttpStatus.NOT_MODIFIED).headers(validators(attr))
                            .<Flux<DataBuffer>>build());
                }
                case FAILED -> {
                    return Mono.error(HttpProblem.preconditionFailed("precondition failed for " + path));
                }
                case PROCEED -> { }
            }
            if (attr.isDirectory()) {
                int pageSize = Math.clamp(limit, 1, listPageMax);
                return files.list(path, after, pageSize).map(page -> ResponseEntity.ok()
                        .headers(validators(page.directory()))
                        .contentType(MediaType.APPLICATION_JSON)
                        .body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(json.writeValueAsBytes(
                                FileViews.Listing.of(view.outward(path).toString(), page.directory(), page.entries(),
                                        page.more()))))));
            }
            return download(path, head, in);
        });
    }

    @Operation(summary = "Headers of a file or directory, without the body")
    @RequestMapping(path = "/files/**", method = RequestMethod.HEAD)
    Mono<ResponseEntity<Void>> head(ServerHttpRequest request, java.security.Principal principal) {
        ObjectPath path = path(request, FILES, view(principal));
        return files.stat(path).map(attr -> {
            switch (Preconditions.evaluate(request.getHeaders(), attr, true)) {
                case NOT_MODIFIED -> {
                    return ResponseEntity.status(HttpStatus.NOT_MODIFIED).headers(validators(attr)).<Void>build();
                }
                case FAILED -> throw HttpProblem.preconditionFailed("precondition failed for " + path);
                case PROCEED -> { }
            }
            HttpHeaders h = validators(attr);
            if (!attr.isDirectory()) {
                h.setContentLength(attr.size());
                h.setContentType(contentType(path));
                h.set(HttpHeaders.ACCEPT_RANGES, "bytes");
            } else {
                h.setContentType(MediaType.APPLICATION_JSON);
            }
            return ResponseEntity.ok().headers(h).<Void>build();
        });
    }

    private Mono<ResponseEntity<Flux<DataBuffer>>> download(ObjectPath path, FileService.Head head, HttpHeaders in) {
        Attr attr = head.attr();
        HttpHeaders out = validators(attr);
        out.set(HttpHeaders.ACCEPT_RANGES, "bytes");
        out.setContentType(contentType(path));
        long size = attr.size();
        long start = 0;
        long length = size;
        HttpStatus status = HttpStatus.OK;
        List<HttpRange> ranges = parseRanges(in);
        if (ranges.size() == 1 && Preconditions.ifRangeHolds(in, attr)) {
            HttpRange range = ranges.getFirst();
            if (!satisfiable(range, size)) {
                throw new HttpProblem(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "RANGE_NOT_SATISFIABLE",
                        "range not satisfiable for a file of " + size + " bytes")
                        .withHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + size);
            }
            start = range.getRangeStart(size);
            long end = range.getRangeEnd(size);
            length = end - start + 1;
            status = HttpStatus.PARTIAL_CONTENT;
            out.set(HttpHeaders.CONTENT_RANGE, "bytes " + start + "-" + end + "/" + size);
        }
        out.setContentLength(length);
        HttpStatus answer = status;
        if (head.covers(start, length)) {
            return Mono.just(ResponseEntity.status(answer).headers(out).body(Flux.just(DefaultDataBufferFactory
                    .sharedInstance.wrap(head.data().slice(head.data().position() + (int) start, (int) length)))));
        }
        // The first chunk is read before the answer is made: if the file changed or went since
        // the head, that fails ABORTED and get() starts over. A change found later, with bytes
        // already sent, ends the body early (the connection is cut): never two versions in one.
        long first = Math.min(length, files.chunkSize());
        long from = start;
        long total = length;
        return files.read(path, attr, from, first).collectList()
                .onErrorMap(e -> e instanceof FileException f && f.code() == ErrorCode.NOT_FOUND,
                        e -> new FileException(ErrorCode.ABORTED, path + " was deleted while it was read"))
                .map(chunks -> ResponseEntity.status(answer).headers(out).body(Flux.fromIterable(chunks)
                        .concatWith(files.read(path, attr, from + first, total - first))
                        .map(DefaultDataBufferFactory.sharedInstance::wrap)));
    }

    private static List<HttpRange> parseRanges(HttpHeaders in) {
        try {
            return in.getRange();
        } catch (IllegalArgumentException e) {
            return List.of(); // an unparseable Range header is ignored (RFC 9110 section 14.2)
        }
    }

    private static boolean satisfiable(HttpRange range, long size) {
        try {
            long start = range.getRangeStart(size);
            return start < size && range.getRangeEnd(size) >= start;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Operation(summary = "Upload a file (curl -T). 201 when created, 204 when replaced.")
    @PutMapping("/files/**")
    Mono<ResponseEntity<Void>> put(ServerHttpRequest request, java.security.Principal principal,
                                   @Parameter(description = "create missing parent directories")
                                   @RequestParam(defaultValue = "false") boolean parents) {
        PathView view = view(principal);
        ObjectPath path = path(request, FILES, view);
        FileService files = withLockTokens(request, principal);
        if (view.isTop(path)) {
            return Mono.error(new FileException(ErrorCode.IS_DIRECTORY, "cannot PUT the root directory"));
        }
        HttpHeaders in = request.getHeaders();
        boolean conditional = !in.getIfMatch().isEmpty() || !in.getIfNoneMatch().isEmpty()
                || in.getIfUnmodifiedSince() >= 0;
        long declared = in.getContentLength();
        if (!conditional && declared >= 0 && declared <= files.chunkSize()) {
            // The common case in one transaction (two when replacing), without a stat first.
            return DataBufferUtils.join(request.getBody(), files.chunkSize()).map(FilesController::bytes)
                    .defaultIfEmpty(ByteBuffer.allocate(0))
                    .flatMap(data -> files.putSmall(path, data, parents))
                    .onErrorMap(e -> e instanceof FileException f && f.code() == ErrorCode.NOT_FOUND,
                            e -> new HttpProblem(HttpStatus.CONFLICT, "NO_PARENT",
                                    "the parent directory of " + path + " does not exist"))
                    .map(stored -> ResponseEntity.status(stored.created() ? HttpStatus.CREATED : HttpStatus.NO_CONTENT)
                            .headers(validators(stored.attr()))
                            .location(stored.created() ? url(view, path) : null)
                            .<Void>build());
        }
        return files.find(path).map(java.util.Optional::of).defaultIfEmpty(java.util.Optional.empty())
                .flatMap(before -> {
                    Attr existing = before.orElse(null);
                    if (existing != null && existing.isDirectory()) {
                        return Mono.error(new FileException(ErrorCode.IS_DIRECTORY, path + " is a directory"));
                    }
                    if (Preconditions.evaluate(in, existing, false) != Preconditions.Outcome.PROCEED) {
                        return Mono.error(HttpProblem.preconditionFailed("precondition failed for " + path));
                    }
                    FileService.Precondition recheck = conditional ? current -> {
                        if (Preconditions.evaluate(in, current, false) != Preconditions.Outcome.PROCEED) {
                            throw HttpProblem.preconditionFailed(path + " changed during the upload");
                        }
                    } : null;
                    long length = in.getContentLength();
                    Mono<Attr> stored = length >= 0 && length <= files.chunkSize()
                            ? DataBufferUtils.join(request.getBody(), files.chunkSize()).map(FilesController::bytes)
                                    .defaultIfEmpty(ByteBuffer.allocate(0))
                                    .flatMap(data -> files.uploadSmall(path, data, parents, recheck))
                            : files.upload(path, rechunk(request), parents, recheck);
                    return stored
                            .onErrorMap(e -> e instanceof FileException f && f.code() == ErrorCode.NOT_FOUND,
                                    e -> new HttpProblem(HttpStatus.CONFLICT, "NO_PARENT",
                                            "the parent directory of " + path + " does not exist"))
                            .map(attr -> ResponseEntity.status(existing == null ? HttpStatus.CREATED : HttpStatus.NO_CONTENT)
                                    .headers(validators(attr))
                                    .location(existing == null ? url(view, path) : null)
                                    .<Void>build());
                });
    }

    @Operation(summary = "Write part of an existing file in place (Content-Range: bytes first-last/*, or /size to also set "
            + "the size; the body is exactly those bytes). 204 with the new ETag; 404 when the file does not exist.")
    @PatchMapping("/files/**")
    Mono<ResponseEntity<Void>> patch(ServerHttpRequest request, java.security.Principal principal,
                                     @Parameter(description = "bytes first-last/* or bytes first-last/size",
                                             required = true)
                                     @RequestHeader(
                                             name = HttpHeaders.CONTENT_RANGE, required = false) String contentRange) {
        ObjectPath path = path(request, FILES, view(principal));
        FileService files = withLockTokens(request, principal);
        ContentRange range = ContentRange.parse(contentRange);
        HttpHeaders in = request.getHeaders();
        long declared = in.getContentLength();
        if (declared < 0) {
            return Mono.error(new HttpProblem(HttpStatus.LENGTH_REQUIRED, "LENGTH_REQUIRED",
                    "a partial write needs a Content-Length equal to the range's length"));
        }
        if (declared != range.length()) {
            return Mono.error(new HttpProblem(HttpStatus.BAD_REQUEST, "BAD_CONTENT_RANGE",
                    "the body has " + declared + " bytes but the range " + range.first() + "-" + range.last()
                            + " needs " + range.length()));
        }
        boolean conditional = !in.getIfMatch().isEmpty() || !in.getIfNoneMatch().isEmpty()
                || in.getIfUnmodifiedSince() >= 0;
        FileService.Precondition expect = !conditional ? null : current -> {
            if (Preconditions.evaluate(in, current, false) != Preconditions.Outcome.PROCEED) {
                throw HttpProblem.preconditionFailed("precondition failed for " + path);
            }
        };
        return files.patch(path, range.first(), range.length(), rechunk(request), range.completeSize(), expect)
                .map(attr -> ResponseEntity.noContent().headers(validators(attr)).<Void>build());
    }

    private Flux<ByteBuffer> rechunk(ServerHttpRequest request) {
        return files.chunks(request.getBody());
    }

    /**
     * The file service acting with the WebDAV lock tokens of the request's If header (same
     * syntax as WebDAV: {@code If: (<opaquelocktoken:...>)}), for the authenticated user. The
     * header only submits tokens here; the node decides (423 when a lock is not held).
     */
    private FileService withLockTokens(ServerHttpRequest request, java.security.Principal principal) {
        String header = request.getHeaders().getFirst("If");
        if (header == null) {
            return files;
        }
        try {
            return files.withTokens(principal == null ? "" : principal.getName(),
                    org.pohmelfs.gateway.webdav.lock.IfHeader.parse(header).tokens());
        } catch (org.pohmelfs.gateway.webdav.lock.IfHeader.Malformed e) {
            throw new HttpProblem(HttpStatus.BAD_REQUEST, "BAD_IF_HEADER", e.getMessage());
        }
    }

    @Operation(summary = "Delete a file or directory (recursive=true for a non-empty directory)")
    @DeleteMapping("/files/**")
    Mono<ResponseEntity<Void>> delete(ServerHttpRequest request, java.security.Principal principal,
                                      @RequestParam(defaultValue = "false") boolean recursive) {
        PathView view = view(principal);
        ObjectPath path = path(request, FILES, view);
        FileService files = withLockTokens(request, principal);
        if (view.isTop(path)) {
            return Mono.error(new FileException(ErrorCode.NOT_PERMITTED, "the root directory cannot be deleted"));
        }
        HttpHeaders in = request.getHeaders();
        Mono<Void> check = in.getIfMatch().isEmpty() && in.getIfUnmodifiedSince() < 0 ? Mono.empty()
                : files.stat(path).doOnNext(attr -> {
                    if (Preconditions.evaluate(in, attr, false) != Preconditions.Outcome.PROCEED) {
                        throw HttpProblem.preconditionFailed("precondition failed for " + path);
                    }
                }).then();
        return check.then(files.delete(path, recursive)).thenReturn(ResponseEntity.noContent().build());
    }

    @Operation(summary = "Run an action on a path: mkdir (parents=true for mkdir -p), move or copy (to=/dest, overwrite=true)")
    @PostMapping("/files/**")
    Mono<ResponseEntity<FileViews.Entry>> action(ServerHttpRequest request, java.security.Principal principal,
                                                 @RequestParam String action,
                                                 @RequestParam(defaultValue = "false") boolean parents,
                                                 @RequestParam(required = false) String to,
                                                 @RequestParam(defaultValue = "false") boolean overwrite) {
        PathView view = view(principal);
        ObjectPath path = path(request, FILES, view);
        FileService files = withLockTokens(request, principal);
        return switch (action) {
            case "mkdir" -> files.mkdir(path, parents).map(attr -> created(view, path, attr));
            case "move", "copy" -> {
                if (to == null) {
                    yield Mono.error(new HttpProblem(HttpStatus.BAD_REQUEST, "MISSING_TARGET", action + " needs to=/path"));
                }
                if (view.isTop(path)) {
                    yield Mono.error(new FileException(ErrorCode.NOT_PERMITTED,
                            "the root directory cannot be moved or copied"));
                }
                ObjectPath target = view.inward(PathCodec.parseDecoded(to));
                Mono<Attr> done = action.equals("move") ? files.move(path, target, overwrite)
                        : files.copy(path, target, overwrite);
                yield done.map(attr -> created(view, target, attr));
            }
            default -> Mono.error(new HttpProblem(HttpStatus.BAD_REQUEST, "UNKNOWN_ACTION",
                    "unknown action '" + action + "' (mkdir, move, copy)"));
        };
    }

    private static ResponseEntity<FileViews.Entry> created(PathView view, ObjectPath path, Attr attr) {
        return ResponseEntity.created(url(view, path)).headers(validators(attr))
                .body(FileViews.Entry.of(path.name(), attr));
    }

    @Operation(summary = "Metadata of a path and its extended attributes; with name=, one attribute's raw value")
    @GetMapping("/xattrs/**")
    Mono<ResponseEntity<Flux<DataBuffer>>> xattrs(ServerHttpRequest request, java.security.Principal principal,
                                                  @RequestParam(required = false) String name) {
        PathView view = view(principal);
        ObjectPath path = path(request, XATTRS, view);
        if (name != null) {
            return files.xattr(path, name).map(v -> ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                    .body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(v))));
        }
        return files.stat(path).zipWith(files.xattrs(path)).map(t -> ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_JSON)
                .body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(json.writeValueAsBytes(
                        new FileViews.Metadata(view.outward(path).toString(),
                                FileViews.Entry.of(view.outward(path).name(), t.getT1()),
                                t.getT2().stream().map(FileViews.Attribute::of).toList()))))));
    }

    @Operation(summary = "Set one extended attribute (the body is its value, at most 64 KiB)")
    @PutMapping("/xattrs/**")
    Mono<ResponseEntity<Void>> setXattr(ServerHttpRequest request, java.security.Principal principal,
                                        @RequestParam String name) {
        ObjectPath path = path(request, XATTRS, view(principal));
        FileService files = withLockTokens(request, principal);
        return DataBufferUtils.join(request.getBody(), MAX_XATTR_VALUE)
                .onErrorMap(org.springframework.core.io.buffer.DataBufferLimitException.class,
                        e -> new FileException(ErrorCode.TOO_LARGE, "attribute values are limited to 64 KiB"))
                .map(FilesController::bytes)
                .defaultIfEmpty(ByteBuffer.allocate(0))
                .flatMap(value -> files.updateXattrs(path, List.of(new Xattr(name, value)), List.of()))
                .thenReturn(ResponseEntity.noContent().build());
    }

    @Operation(summary = "Remove one extended attribute")
    @DeleteMapping("/xattrs/**")
    Mono<ResponseEntity<Void>> removeXattr(ServerHttpRequest request, java.security.Principal principal,
                                           @RequestParam String name) {
        ObjectPath path = path(request, XATTRS, view(principal));
        FileService files = withLockTokens(request, principal);
        return files.updateXattrs(path, List.of(), List.of(name)).thenReturn(ResponseEntity.noContent().build());
    }

    @Operation(summary = "Capacity and usage of the export")
    @GetMapping("/usage")
    Mono<FileViews.Usage> usage() {
        return files.usage().map(FileViews.Usage::of);
    }

    /** Copies a joined body into a heap buffer and releases it. */
    private static ByteBuffer bytes(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return ByteBuffer.wrap(bytes);
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    static HttpHeaders validators(Attr attr) {
        HttpHeaders h = new HttpHeaders();
        h.setETag(attr.etag());
        h.setLastModified(Preconditions.lastModified(attr));
        return h;
    }

    private static MediaType contentType(ObjectPath path) {
        return MediaTypeFactory.getMediaType(path.name()).orElse(MediaType.APPLICATION_OCTET_STREAM);
    }

}
