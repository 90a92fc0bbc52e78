package io.actorgrid.grid;

import java.util.List;

/**
 * A page of entries in key order.
 *
 * @param nextCursor where the next page starts; null when this is the last page. A cursor is a
 *     position in key order, so it stays valid while writes go on: the next page holds the keys
 *     after the last one of this page as they are when it is read.
 */
public record Page(List<Entry> entries, String nextCursor) {}
