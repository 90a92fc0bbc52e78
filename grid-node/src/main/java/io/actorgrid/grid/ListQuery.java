package io.actorgrid.grid;

/**
 * One page request of {@link GridMap#list}.
 *
 * @param prefix only keys that start with it ("" for all)
 * @param limit most entries in the page, 1 to {@code actorgrid.limits.max-list-limit}
 * @param cursor null for the first page, else the {@link Page#nextCursor()} of the previous one
 * @param withValues whether entries carry their values
 */
public record ListQuery(String prefix, int limit, String cursor, boolean withValues) {
  public static final int DEFAULT_LIMIT = 100;

  /** The first page of all keys, without values, {@value #DEFAULT_LIMIT} at most. */
  public static ListQuery firstPage() {
    return new ListQuery("", DEFAULT_LIMIT, null, false);
  }

  public ListQuery withPrefix(String prefix) {
    return new ListQuery(prefix, limit, cursor, withValues);
  }

  public ListQuery withLimit(int limit) {
    return new ListQuery(prefix, limit, cursor, withValues);
  }

  public ListQuery withCursor(String cursor) {
    return new ListQuery(prefix, limit, cursor, withValues);
  }

  public ListQuery withValues(boolean withValues) {
    return new ListQuery(prefix, limit, cursor, withValues);
  }
}
