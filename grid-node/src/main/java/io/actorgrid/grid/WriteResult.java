package io.actorgrid.grid;

/**
 * The outcome of an acknowledged put: the change is durable in the journal.
 *
 * @param created true when the record did not exist before
 */
public record WriteResult(String map, String key, long version, boolean created) {}
