package io.actorgrid.grid;

/**
 * The outcome of an acknowledged increment: the counter's new value, durable in the journal.
 *
 * @param created true when the counter did not exist before (it started at 0)
 */
public record CounterResult(String map, String key, long value, long version, boolean created) {}
