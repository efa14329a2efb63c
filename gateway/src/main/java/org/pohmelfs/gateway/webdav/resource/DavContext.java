package org.pohmelfs.gateway.webdav.resource;

import org.pohmelfs.gateway.files.FileService;
import reactor.core.scheduler.Scheduler;

/**
 * What the resources need: the file service, a scheduler on virtual threads for reading
 * request bodies (blocking InputStreams) into upload chunks, and the listing page size.
 */
public record DavContext(FileService files, Scheduler blocking, int pageSize) {
}
