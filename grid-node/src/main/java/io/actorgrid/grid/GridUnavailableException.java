package io.actorgrid.grid;

/**
 * The partition that owns the key did not answer in time: it is recovering, moving to another node,
 * or its journal is failing. A write that ends this way was not acknowledged and may or may not
 * have been applied; retry it (conditionally, if that matters).
 */
public final class GridUnavailableException extends GridException {
  public GridUnavailableException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 503;
  }

  @Override
  public String title() {
    return "Service unavailable";
  }
}
