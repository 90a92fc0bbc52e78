/**
 * The node's machinery: partitions ({@link io.actorgrid.grid.internal.Partition} in front of the
 * event-sourced {@link io.actorgrid.grid.internal.PartitionJournal}), their state, events and key
 * placement ({@link io.actorgrid.grid.internal.Partitioner}), settings, cluster joining and the
 * node's meters ({@link io.actorgrid.grid.internal.GridMetrics}). Not an API: use {@code
 * io.actorgrid.grid}.
 */
package io.actorgrid.grid.internal;
