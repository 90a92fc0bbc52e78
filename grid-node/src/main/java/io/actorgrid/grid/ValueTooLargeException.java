package io.actorgrid.grid;

/** A value exceeds {@code actorgrid.limits.max-value-bytes} or its map's {@code maxValueBytes}. */
public final class ValueTooLargeException extends GridException {
  private final long size;
  private final long limit;

  public ValueTooLargeException(long size, long limit) {
    this(
        "the value has "
            + size
            + " bytes; values may have at most "
            + limit
            + " bytes (actorgrid.limits.max-value-bytes). Store a smaller value or split it.",
        size,
        limit);
  }

  public ValueTooLargeException(String message, long size, long limit) {
    super(message);
    this.size = size;
    this.limit = limit;
  }

  public long size() {
    return size;
  }

  public long limit() {
    return limit;
  }

  @Override
  public int httpStatus() {
    return 413;
  }

  @Override
  public String title() {
    return "Value too large";
  }
}
