package io.actorgrid.cli;

/**
 * A failure the client reports in one line on stderr, with the exit status it stands for. Never a
 * stack trace: the message says what went wrong and, where it can, how to fix it.
 */
final class CliException extends RuntimeException {
  private final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }

  static CliException usage(String message) {
    return new CliException(ExitCodes.USAGE, message);
  }
}
