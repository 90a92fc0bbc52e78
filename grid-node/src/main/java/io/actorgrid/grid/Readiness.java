package io.actorgrid.grid;

/**
 * Whether this node serves requests: it is up in its cluster, its partitions have recovered and
 * accept commands, and the journal answers. {@code reason} says what is missing when not ready.
 */
public record Readiness(boolean ready, String reason) {}
