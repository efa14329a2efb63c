package org.pohmelfs.protocol;

/**
 * What a node reports of its export in the handshake and in answer to STATFS
 * (POHMELFS's autoconfiguration).
 *
 * @param capacityBytes  size of the underlying file system, or the size limit if smaller
 * @param usedBytes      bytes the export's files take
 * @param availableBytes bytes that may still be written (limit and free space both count)
 * @param objectCount    files and directories in the export
 * @param sizeLimitBytes configured limit on the export's size; 0 when there is none
 * @param readOnly       whether the node refuses every change
 */
public record NodeInfo(long capacityBytes, long usedBytes, long availableBytes, long objectCount,
                       long sizeLimitBytes, boolean readOnly) {
}
