package io.actorgrid.grid;

/**
 * A change feed cannot resume from the position asked for: the journal no longer holds some of the
 * changes after it (retention deleted them), so resuming there would skip changes. Start again with
 * {@link ChangeQuery#fromBeginning()} (the oldest change still held) or {@link
 * ChangeQuery#fromNow()}, after re-reading whatever state the consumer derives from the feed.
 */
public final class ChangesGoneException extends GridException {
  public ChangesGoneException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 410;
  }

  @Override
  public String title() {
    return "Gone";
  }
}
