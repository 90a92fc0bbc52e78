package io.actorgrid.grid;

/**
 * The record's current value does not allow the operation: a merge patch of a value that is not
 * JSON, an increment of a value that is not a JSON integer or that would overflow. Nothing was
 * written.
 */
public final class ConflictException extends GridException {
  public ConflictException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 409;
  }

  @Override
  public String title() {
    return "Conflict";
  }
}
