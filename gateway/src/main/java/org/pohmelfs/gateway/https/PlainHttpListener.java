package org.pohmelfs.gateway.https;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The gateway's second, plain HTTP listener ({@code pohmelfs.gateway.https.plain-port}) next to
 * HTTPS on {@code server.port}: a small Reactor Netty server that answers every request with a
 * 308 redirect to the same URL over HTTPS, or refuses it with 403, and hands {@code /actuator/**}
 * to the application (same filters, same security) so probes and scrapers keep working over plain
 * HTTP. It starts after the main web server (it needs its port) and stops before it.
 */
public final class PlainHttpListener implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(PlainHttpListener.class);

    private final HttpsProperties https;
    private final String address;
    private final IntSupplier httpsPort;
    private final Supplier<HttpHandler> application;
    private volatile DisposableServer server;

    /**
     * @param https       the settings (plain port, mode, actuator, redirect port)
     * @param address     where to listen (the main server's address)
     * @param httpsPort   the port the main (HTTPS) server listens on, asked at start
     * @param application the application's handler, asked at start when actuator requests are served
     */
    public PlainHttpListener(HttpsProperties https, String address, IntSupplier httpsPort,
                             Supplier<HttpHandler> application) {
        this.https = https;
        this.address = address;
        this.httpsPort = httpsPort;
        this.application = application;
    }

    @Override
    public void start() {
        int port = https.redirectPort() != null ? https.redirectPort() : httpsPort.getAsInt();
        ReactorHttpHandlerAdapter app = https.plainActuator() ? new ReactorHttpHandlerAdapter(application.get()) : null;
        server = HttpServer.create().host(address).port(https.plainPort())
                .handle((request, response) -> app != null && HttpsRedirect.actuator(request.uri())
                        ? app.apply(request, response) : answer(request, response, port))
                .bindNow();
        log.info("plain HTTP on {}:{}: {} to HTTPS port {}{}", address, port(), https.plainHttp() == HttpsProperties.PlainHttp.REDIRECT
                ? "redirects" : "refuses, names", port, app != null ? "; /actuator served" : "");
    }

    private Publisher<Void> answer(HttpServerRequest request, HttpServerResponse response, int port) {
        String location = HttpsRedirect.location(request.requestHeaders().get(HttpHeaderNames.HOST), request.uri(), port,
                address);
        response.keepAlive(false);
        if (https.plainHttp() == HttpsProperties.PlainHttp.REDIRECT) {
            return response.status(HttpResponseStatus.PERMANENT_REDIRECT)
                    .header(HttpHeaderNames.LOCATION, location)
                    .header(HttpHeaderNames.CONTENT_LENGTH, "0")
                    .send();
        }
        log.debug("refused plain HTTP {} {} from {}: HTTPS only", request.method(), request.uri(), request.remoteAddress());
        byte[] text = ("This gateway serves HTTPS only: " + location + "\n").getBytes(StandardCharsets.UTF_8);
        response.status(HttpResponseStatus.FORBIDDEN)
                .header(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(text.length));
        if (request.method().equals(HttpMethod.HEAD)) {
            return response.send();
        }
        return response.sendByteArray(Mono.just(text)).then();
    }

    /** The port the plain listener is bound to (useful with {@code plain-port: 0}). */
    public int port() {
        DisposableServer s = server;
        if (s == null) {
            throw new IllegalStateException("the plain HTTP listener is not running");
        }
        return s.port();
    }

    @Override
    public void stop() {
        DisposableServer s = server;
        server = null;
        if (s != null) {
            s.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
