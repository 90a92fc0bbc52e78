package io.actorgrid.grid;

/**
 * A batch has more items than {@code actorgrid.limits.max-batch-items}, or more bytes for one
 * partition than {@code actorgrid.limits.max-batch-partition-bytes}. Nothing was done.
 */
public final class BatchTooLargeException extends GridException {
  public BatchTooLargeException(int items, int limit) {
    super(
        "the batch has "
            + items
            + " items; a batch may have at most "
            + limit
            + " (actorgrid.limits.max-batch-items). Split it into several batches.");
  }

  public BatchTooLargeException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 413;
  }

  @Override
  public String title() {
    return "Batch too large";
  }
}
