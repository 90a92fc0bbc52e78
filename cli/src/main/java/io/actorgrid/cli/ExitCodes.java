package io.actorgrid.cli;

/** The exit statuses of {@code actorgrid-cli}; the README and {@code --help} list them. */
final class ExitCodes {
  /** The command did what it was asked. */
  static final int OK = 0;

  /** Any other failure: a 409 conflict, a 500, an unreadable reply, a local I/O error. */
  static final int ERROR = 1;

  /** Bad input: a usage mistake, or the node answered 400, 405, 413, 415 or 422. */
  static final int USAGE = 2;

  /** The record or map does not exist (404). */
  static final int NOT_FOUND = 3;

  /** A precondition ({@code --if-match}, {@code --if-absent}) failed (412). */
  static final int PRECONDITION_FAILED = 4;

  /** The node could not be reached, or answered 503: retrying later may succeed. */
  static final int UNAVAILABLE = 5;

  /** Some items of a batch, or some records of an import, failed; the output says which. */
  static final int PARTIAL = 6;

  private ExitCodes() {}

  /** The exit status for an HTTP error status. */
  static int forStatus(int status) {
    return switch (status) {
      case 400, 405, 413, 415, 422 -> USAGE;
      case 404 -> NOT_FOUND;
      case 412 -> PRECONDITION_FAILED;
      case 503 -> UNAVAILABLE;
      default -> ERROR;
    };
  }
}
