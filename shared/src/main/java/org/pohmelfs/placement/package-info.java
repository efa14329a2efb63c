/**
 * Pure placement decisions for the gateway (design.md §4.2, §4.3): which node serves a read
 * ({@link org.pohmelfs.placement.ReadBalancer}) and what a write's replies from the write set
 * mean ({@link org.pohmelfs.placement.WriteFanOut}). No I/O, clocks or threads; randomness
 * comes in as a seeded generator.
 */
package org.pohmelfs.placement;
