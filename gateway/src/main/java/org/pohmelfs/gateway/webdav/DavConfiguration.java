package org.pohmelfs.gateway.webdav;

import io.milton.config.HttpManagerBuilder;
import io.milton.http.HttpManager;
import io.milton.http.http11.DefaultHttp11ResponseHandler;
import io.milton.http.http11.SimpleContentGenerator;
import io.milton.http.values.ValueWriter;
import io.milton.http.values.ValueWriters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.pohmelfs.gateway.files.LockService;
import org.pohmelfs.gateway.webdav.lock.DavLockHandler;
import org.pohmelfs.gateway.webdav.resource.FastValueWriters;
import org.pohmelfs.gateway.webdav.resource.RawXml;
import org.pohmelfs.gateway.webdav.resource.RawXmlValueWriter;
import java.util.concurrent.Executors;
import org.pohmelfs.gateway.config.GatewayProperties;
import org.pohmelfs.gateway.files.FileService;
import org.pohmelfs.gateway.webdav.resource.DavContext;
import org.pohmelfs.gateway.webdav.resource.DavResource;
import org.pohmelfs.gateway.webdav.resource.DavResourceFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.web.server.WebFilter;
import reactor.core.scheduler.Schedulers;

/**
 * The WebDAV front end under {@code /dav/}: Milton's community edition (class 1) over the
 * file service, served by {@link DavWebFilter} on virtual threads.
 */
@Configuration(proxyBeanMethods = false)
public class DavConfiguration {

    /** One virtual thread per WebDAV request (and per upload body being read). */
    @Bean(destroyMethod = "close")
    ExecutorService davThreads() {
        return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dav-", 0).factory());
    }

    @Bean
    DavLockHandler davLockHandler(FileService files) {
        return new DavLockHandler(files, new LockService(files.nodes()), DavGuard.PREFIX);
    }

    @Bean
    DavResourceFactory davResourceFactory(FileService files, GatewayProperties properties, ExecutorService davThreads,
                                          DavLockHandler davLockHandler) {
        DavContext context = new DavContext(files, Schedulers.fromExecutorService(davThreads, "dav-body"),
                properties.listPageMax(), davLockHandler);
        return new DavResourceFactory(context, DavGuard.PREFIX);
    }

    /*
     * Milton parses every PROPFIND body with XMLReaderFactory.createXMLReader(), which, without
     * this property, searches the class path for a SAX driver on every call (a ServiceLoader
     * scan of every jar in the Boot fat jar): about 20 % of the gateway's CPU under a PROPFIND
     * load. Naming the JDK's own parser (the one the scan ends with) skips the scan.
     */
    static {
        if (System.getProperty("org.xml.sax.driver") == null) {
            System.setProperty("org.xml.sax.driver", "com.sun.org.apache.xerces.internal.parsers.SAXParser");
        }
    }

    @Bean(destroyMethod = "shutdown")
    HttpManager davHttpManager(DavResourceFactory davResourceFactory) {
        HttpManagerBuilder builder = new HttpManagerBuilder();
        builder.setResourceFactory(davResourceFactory);
        // Spring Security authenticates before Milton runs; Milton does no authentication.
        builder.setEnableBasicAuth(false);
        builder.setEnableDigestAuth(false);
        builder.setEnableCookieAuth(false);
        builder.setEnableFormAuth(false);
        builder.setEnableOAuth2(false);
        builder.setEnableOptionsAuth(false);
        builder.setEnabledJson(false);
        builder.setEnabledCkBrowser(false);
        builder.setEnableCompression(false);
        builder.setEnableExpectContinue(false);
        builder.setEnableQuota(true); // RFC 4331 properties from FolderResource (the node's STATFS)
        // Stream GET bodies with the Content-Length the resource reports; never buffer them.
        builder.setBuffering(DefaultHttp11ResponseHandler.BUFFERING.never);
        // Plain error pages (the default generator needs the servlet API).
        builder.setContentGenerator(new SimpleContentGenerator());
        // The node's version is the ETag, as in REST (quoted).
        builder.seteTagGenerator(r -> r instanceof DavResource d ? d.etag() : null);
        // lockdiscovery and supportedlock are written as ready XML (CE has no writer for them).
        List<ValueWriter> writers = new ArrayList<>();
        writers.add(new RawXmlValueWriter());
        writers.addAll(FastValueWriters.replaceIn(new ValueWriters().getValueWriters()));
        builder.setValueWriters(new ValueWriters(writers));
        return builder.buildHttpManager();
    }

    @Bean
    @Order(10) // after Spring Security (-100) and the read-only filter (0)
    WebFilter davWebFilter(HttpManager davHttpManager, ExecutorService davThreads, FileService files,
                           DavLockHandler davLockHandler, DavResourceFactory davResourceFactory,
                           @Value("${pohmelfs.gateway.webdav.fast-get:true}") boolean fastGet) {
        return new DavWebFilter(davHttpManager, davThreads, files, davLockHandler, fastGet, davResourceFactory);
    }
}
