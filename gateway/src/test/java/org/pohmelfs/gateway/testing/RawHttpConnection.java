package org.pohmelfs.gateway.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection over a raw loopback socket, for tests of keep-alive behaviour:
 * requests are written byte for byte as given (in pieces, if asked), responses are read one
 * at a time, interim (1xx) ones included, with a bound on every read so that a server that
 * stops reading or answering fails a test instead of hanging it.
 *
 * <p>Writing and reading may happen on different threads (a body still being written while
 * an early answer is read); each direction on one thread at a time.
 */
public final class RawHttpConnection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttpConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:port; each later read fails after {@code readBound} without a byte. */
    public static RawHttpConnection open(int port, Duration readBound) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(Math.toIntExact(readBound.toMillis()));
        socket.setTcpNoDelay(true);
        return new RawHttpConnection(socket);
    }

    /** A response: status, headers (names in lower case, last value wins) and the body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public boolean informational() {
            return status >= 100 && status < 200;
        }

        /** Whether the server said it closes the connection after this response. */
        public boolean closes() {
            String c = headers.get("connection");
            return c != null && c.toLowerCase(Locale.ROOT).contains("close");
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Writes and flushes the bytes as one write. */
    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void write(String ascii) throws IOException {
        write(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Writes the bytes in writes of {@code piece} bytes, each flushed on its own, with
     * {@code pause} between them, so the server sees the body arrive over many reads.
     */
    public void writeInPieces(byte[] bytes, int piece, Duration pause) throws IOException, InterruptedException {
        for (int at = 0; at < bytes.length; at += piece) {
            out.write(bytes, at, Math.min(piece, bytes.length - at));
            out.flush();
            if (!pause.isZero()) {
                Thread.sleep(pause);
            }
        }
    }

    /** As {@link #writeInPieces}, framed as chunks of the chunked transfer coding, with the last chunk. */
    public void writeChunked(byte[] bytes, int piece, Duration pause) throws IOException, InterruptedException {
        for (int at = 0; at < bytes.length; at += piece) {
            int n = Math.min(piece, bytes.length - at);
            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes, at, n);
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            if (!pause.isZero()) {
                Thread.sleep(pause);
            }
        }
        write("0\r\n\r\n");
    }

    /** Reads the next response, interim or final. */
    public Response read() throws IOException {
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.1 ") && !statusLine.startsWith("HTTP/1.0 ")) {
            throw new IOException("not a status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(); !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        if (status < 200 || status == 204 || status == 304) {
            return new Response(status, headers, new byte[0]);
        }
        String length = headers.get("content-length");
        String coding = headers.get("transfer-encoding");
        byte[] body;
        if (coding != null && coding.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                 size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                all.write(exactly(size));
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
            body = all.toByteArray();
        } else if (length != null) {
            body = exactly(Integer.parseInt(length));
        } else {
            body = in.readAllBytes(); // delimited by the close
        }
        return new Response(status, headers, body);
    }

    /** Reads the next final response, skipping interim ones. */
    public Response readFinal() throws IOException {
        Response r = read();
        while (r.informational()) {
            r = read();
        }
        return r;
    }

    /**
     * Whether the server closes the connection (or resets it) before the read bound passes,
     * sending nothing more. False when it sends a byte; a {@link SocketTimeoutException} when
     * it does neither.
     */
    public boolean closedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException reset) {
            return true;
        }
    }

    private byte[] exactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("the connection ended " + (n - b.length) + " bytes before the body did");
        }
        return b;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("the connection ended" + (sb.isEmpty() ? "" : " within a line: " + sb));
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
