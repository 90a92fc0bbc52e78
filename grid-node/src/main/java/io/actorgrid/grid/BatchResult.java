package io.actorgrid.grid;

/**
 * What became of one item of a batch.
 *
 * @param version the record's version after the item (CREATED, UPDATED, FOUND), the version of the
 *     deletion (DELETED), or the record's current version when a precondition failed (0: absent)
 * @param entry the record a GET found, else null
 * @param error why the item failed (PRECONDITION_FAILED, FAILED), else null
 */
public record BatchResult(
    String key, Outcome outcome, long version, Entry entry, GridException error) {
  public enum Outcome {
    CREATED(201),
    UPDATED(200),
    DELETED(204),
    FOUND(200),
    NOT_FOUND(404),
    PRECONDITION_FAILED(412),
    /** See {@link BatchResult#error()} (its {@link GridException#httpStatus()}). */
    FAILED(500);

    private final int httpStatus;

    Outcome(int httpStatus) {
      this.httpStatus = httpStatus;
    }

    int httpStatus() {
      return httpStatus;
    }
  }

  /** The HTTP status that stands for this item's outcome. */
  public int httpStatus() {
    return error != null ? error.httpStatus() : outcome.httpStatus();
  }
}
