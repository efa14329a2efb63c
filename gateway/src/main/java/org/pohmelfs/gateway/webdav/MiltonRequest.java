package org.pohmelfs.gateway.webdav;

import io.milton.http.AbstractRequest;
import io.milton.http.Auth;
import io.milton.http.Cookie;
import io.milton.http.FileItem;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Milton's view of a WebFlux request. Headers are read from the WebFlux request; the body is
 * an InputStream handed in by {@link DavWebFilter} (buffered and screened for XML methods,
 * streamed for PUT). The Depth header has been validated by {@link DavGuard} already.
 */
final class MiltonRequest extends AbstractRequest {
    private final ServerHttpRequest request;
    private final Method method;
    private final InputStream body;
    private Auth auth;

    MiltonRequest(ServerHttpRequest request, Method method, InputStream body) {
        this.request = request;
        this.method = method;
        this.body = body;
    }

    @Override
    public Map<String, String> getHeaders() {
        Map<String, String> map = new LinkedHashMap<>();
        request.getHeaders().forEach((name, values) -> map.put(name, values.isEmpty() ? "" : values.getFirst()));
        return map;
    }

    /**
     * The If header is evaluated in full by the adapter (DavLockHandler) before Milton runs;
     * Milton's own reading of it (an etag picked out with a regex) is wrong for lists such as
     * {@code (<token> ["etag"])}, so Milton never sees it.
     */
    @Override
    public String getIfHeader() {
        return null;
    }

    @Override
    public String getRequestHeader(Header header) {
        if (header == Header.IF) {
            return null;
        }
        return request.getHeaders().getFirst(header.code);
    }

    @Override
    public int getDepthHeader() {
        String depth = getRequestHeader(Header.DEPTH);
        if (depth == null) {
            return INFINITY;
        }
        return switch (depth.trim()) {
            case "0" -> 0;
            case "1" -> 1;
            default -> INFINITY;
        };
    }

    @Override
    public String getFromAddress() {
        return getRemoteAddr();
    }

    @Override
    public String getRemoteAddr() {
        InetSocketAddress remote = request.getRemoteAddress();
        return remote == null ? null : remote.getHostString();
    }

    @Override
    public Method getMethod() {
        return method;
    }

    @Override
    public Auth getAuthorization() {
        return auth;
    }

    @Override
    public void setAuthorization(Auth auth) {
        this.auth = auth;
    }

    @Override
    public String getAbsoluteUrl() {
        return request.getURI().toString();
    }

    @Override
    public InputStream getInputStream() {
        return body;
    }

    @Override
    public void parseRequestParameters(Map<String, String> params, Map<String, FileItem> files) {
        request.getQueryParams().forEach((name, values) -> params.put(name, values.isEmpty() ? "" : values.getFirst()));
    }

    @Override
    public Cookie getCookie(String name) {
        return null;
    }

    @Override
    public List<Cookie> getCookies() {
        return List.of();
    }
}
