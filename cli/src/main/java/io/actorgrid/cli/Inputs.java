package io.actorgrid.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Bodies from the command line: an argument, a file ({@code --file}), or stdin ({@code -}). */
final class Inputs {
  private Inputs() {}

  /**
   * The bytes of exactly one of {@code argument} ({@code -} for stdin) and {@code file}; {@code
   * what} names the body in messages.
   */
  static byte[] body(String argument, Path file, InputStream stdin, String what) {
    if (argument != null && file != null) {
      throw CliException.usage(
          "give the " + what + " either as an argument or with --file, not both");
    }
    if (file != null) {
      return read(file);
    }
    if (argument == null) {
      throw CliException.usage(
          "give the " + what + " as an argument, with --file FILE, or as - to read it from stdin");
    }
    if (argument.equals("-")) {
      return readStdin(stdin);
    }
    return argument.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw CliException.usage("no such file: " + file);
    } catch (IOException e) {
      throw CliException.usage("cannot read " + file + ": " + e.getMessage());
    }
  }

  static byte[] readStdin(InputStream stdin) {
    try {
      return stdin.readAllBytes();
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "cannot read stdin: " + e.getMessage());
    }
  }

  /** The file, or stdin for {@code -}. */
  static InputStream open(String file, InputStream stdin) {
    if (file.equals("-")) {
      return stdin;
    }
    try {
      return Files.newInputStream(Path.of(file));
    } catch (NoSuchFileException e) {
      throw CliException.usage("no such file: " + file);
    } catch (IOException | RuntimeException e) {
      throw CliException.usage("cannot read " + file + ": " + e.getMessage());
    }
  }
}
