package io.actorgrid.grid;

/**
 * Base of the exceptions the grid's operations complete with. Each subclass names one HTTP status
 * the HTTP API answers with, so embedded and HTTP users see the same outcomes.
 */
public abstract class GridException extends RuntimeException {
  protected GridException(String message) {
    super(message);
  }

  /** The HTTP status that stands for this outcome. */
  public abstract int httpStatus();

  /** A short, stable title for the outcome (the {@code title} of a problem document). */
  public abstract String title();
}
