package io.actorgrid.grid;

/** The request itself is wrong (a bad map name, key, cursor or limit); retrying cannot help. */
public final class InvalidRequestException extends GridException {
  public InvalidRequestException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 400;
  }

  @Override
  public String title() {
    return "Invalid request";
  }
}
