package io.actorgrid.grid;

/** The operation needs a record (or map) that does not exist. Nothing was written. */
public final class NotFoundException extends GridException {
  public NotFoundException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 404;
  }

  @Override
  public String title() {
    return "Not found";
  }
}
