package org.pohmelfs.coherence;

/** The states of a gateway's cache entry (design.md §3.2). */
public enum CacheState {
    /** Invalid: no lease, no data. */
    I,
    /** Pending shared: ACQUIRE S sent; reads wait. */
    IS,
    /** Pending exclusive: ACQUIRE X sent, from I or from S (then the S lease and its data are kept). */
    IX,
    /** Shared: clean data under an S lease; reads are served. */
    S,
    /** Exclusive clean: X lease, clean data; a write moves it to M. */
    E,
    /** Modified: X lease, data of writes in progress. */
    M,
    /** Flushing toward a target (E, S or I); reads are served, writes wait. */
    F
}
