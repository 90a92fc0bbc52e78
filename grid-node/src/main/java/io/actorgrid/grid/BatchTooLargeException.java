package io.actorgrid.grid;

/** A batch has more items than {@code actorgrid.limits.max-batch-items}. Nothing was done. */
public final class BatchTooLargeException extends GridException {
  public BatchTooLargeException(int items, int limit) {
    super(
        "the batch has "
            + items
            + " items; a batch may have at most "
            + limit
            + " (actorgrid.limits.max-batch-items). Split it into several batches.");
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
