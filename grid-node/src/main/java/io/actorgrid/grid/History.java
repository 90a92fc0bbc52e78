package io.actorgrid.grid;

import java.util.List;

/**
 * A page of the history of one record, newest change first.
 *
 * @param nextCursor where the next (older) page starts, null when this page reaches the oldest
 *     change kept
 * @param truncated whether older changes existed but history retention removed them: the page ends
 *     at the oldest change kept, not at the record's first
 */
public record History(
    String map, String key, List<HistoryItem> items, String nextCursor, boolean truncated) {}
