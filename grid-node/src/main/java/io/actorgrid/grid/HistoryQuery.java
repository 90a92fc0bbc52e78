package io.actorgrid.grid;

/**
 * One page request of {@link GridMap#history}.
 *
 * @param limit most changes in the page, 1 to {@value #MAX_LIMIT}
 * @param cursor null for the newest changes, else the {@link History#nextCursor()} of the previous
 *     page
 * @param withValues whether changes carry the values they left
 */
public record HistoryQuery(int limit, String cursor, boolean withValues) {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  /** The newest {@value #DEFAULT_LIMIT} changes, without values. */
  public static HistoryQuery newest() {
    return new HistoryQuery(DEFAULT_LIMIT, null, false);
  }

  public HistoryQuery withLimit(int limit) {
    return new HistoryQuery(limit, cursor, withValues);
  }

  public HistoryQuery withCursor(String cursor) {
    return new HistoryQuery(limit, cursor, withValues);
  }

  public HistoryQuery withValues(boolean withValues) {
    return new HistoryQuery(limit, cursor, withValues);
  }
}
