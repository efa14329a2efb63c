package org.pohmelfs.gateway.webdav.resource;

import io.milton.http.Auth;
import io.milton.http.HttpManager;
import io.milton.http.Range;
import io.milton.http.Request;
import io.milton.http.Response;
import io.milton.http.exceptions.BadRequestException;
import io.milton.http.exceptions.ConflictException;
import io.milton.http.exceptions.NotAuthorizedException;
import io.milton.resource.GetableResource;
import io.milton.resource.ReplaceableResource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import org.pohmelfs.gateway.files.FileException;
import org.pohmelfs.protocol.Attr;
import org.pohmelfs.protocol.ErrorCode;
import org.pohmelfs.protocol.ObjectPath;
import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;
import reactor.core.publisher.Flux;

/** A file: GET (whole or one range, streamed chunk by chunk from the node) and PUT over it. */
public final class FileResource extends DavResource implements GetableResource, ReplaceableResource {
    /** Chunks read ahead of the client while streaming a download. */
    private static final int PREFETCH = 4;

    FileResource(DavContext context, ObjectPath path, Attr attr) {
        super(context, path, attr);
    }

    /**
     * Writes the file, or the bytes from the range's start to its end (inclusive; Milton
     * leaves the end to the resource), cut to the file's size.
     */
    @Override
    public void sendContent(OutputStream out, Range range, Map<String, String> params, String contentType)
            throws IOException {
        long size = attr.size();
        long start = 0;
        long end = size - 1;
        if (range != null) {
            if (range.getStart() != null) {
                start = range.getStart();
                if (range.getFinish() != null) {
                    end = Math.min(range.getFinish(), size - 1);
                }
            } else if (range.getFinish() != null) {
                start = Math.max(0, size - range.getFinish()); // suffix range: the last N bytes
            }
        }
        if (range != null && !fixSingleRangeHeaders(start, end, size)) {
            return; // unsatisfiable: 416, no body
        }
        long length = Math.max(0, end - start + 1);
        byte[] copy = new byte[context.files().chunkSize()];
        try {
            for (ByteBuffer chunk : context.files().read(path, attr, start, length).toIterable(PREFETCH)) {
                while (chunk.hasRemaining()) {
                    int n = Math.min(copy.length, chunk.remaining());
                    chunk.get(copy, 0, n);
                    out.write(copy, 0, n);
                }
            }
        } catch (FileException e) {
            if (e.code() == ErrorCode.ABORTED || e.code() == ErrorCode.NOT_FOUND) {
                // changed or deleted since Milton's lookup: the adapter serves it again from a
                // fresh lookup, or cuts the connection if bytes of this version are already sent
                Request request = HttpManager.request();
                if (request != null) {
                    request.getAttributes().put(Failures.STALE, Boolean.TRUE);
                }
            }
            throw e;
        }
        out.flush();
    }

    /**
     * Milton writes a suffix range ({@code bytes=-N}) as "0-N" and answers a range past the end
     * with 206 (milton2 issue 254 and kin); for a single range the resource knows the truth, and the
     * headers are still held by the adapter, so they are set right here: Content-Range and
     * Content-Length of the bytes sent, or 416 with {@code bytes *}{@code /size} when the range
     * starts at or past the end (RFC 9110 section 14.4). A multi-range request is left to Milton.
     *
     * @return false when nothing must be sent
     */
    private static boolean fixSingleRangeHeaders(long start, long end, long size) {
        Request request = HttpManager.request();
        Response response = HttpManager.response();
        if (request == null || response == null || request.getRangeHeader() == null
                || request.getRangeHeader().contains(",")) {
            return true;
        }
        if (start >= size) {
            request.getAttributes().put(Failures.STATUS_OVERRIDE, 416);
            response.setNonStandardHeader("Content-Range", "bytes */" + size);
            response.setContentLengthHeader(0L);
            return false;
        }
        response.setContentRangeHeader(start, end, size);
        response.setContentLengthHeader(end - start + 1);
        return true;
    }

    @Override
    public Long getMaxAgeSeconds(Auth auth) {
        return null;
    }

    @Override
    public String getContentType(String accepts) {
        return contentType(path);
    }

    /** The Content-Type of a file, by its name's extension (the fast GET path sends the same). */
    public static String contentType(ObjectPath path) {
        return MediaTypeFactory.getMediaType(path.name()).orElse(MediaType.APPLICATION_OCTET_STREAM).toString();
    }

    @Override
    public Long getContentLength() {
        return attr.size();
    }

    @Override
    public void replaceContent(InputStream in, Long length)
            throws BadRequestException, ConflictException, NotAuthorizedException {
        Failures.run(this, () -> context.files().upload(path, chunks(context, in), false, null).block());
    }

    /** A request body cut into upload chunks, read on a virtual thread (never the event loop). */
    static Flux<ByteBuffer> chunks(DavContext context, InputStream in) {
        int size = context.files().chunkSize();
        return Flux.<ByteBuffer>generate(sink -> {
            try {
                byte[] bytes = in.readNBytes(size);
                if (bytes.length == 0) {
                    sink.complete();
                } else {
                    sink.next(ByteBuffer.wrap(bytes));
                }
            } catch (IOException e) {
                sink.error(e);
            }
        }).subscribeOn(context.blocking());
    }
}
