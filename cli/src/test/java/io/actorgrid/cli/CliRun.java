package io.actorgrid.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One run of the client in this JVM, through picocli, with its streams captured. */
record CliRun(int exit, byte[] stdout, String stderr) {

  static CliRun run(String url, byte[] stdin, String... args) {
    List<String> all = new ArrayList<>(List.of("--url", url));
    all.addAll(List.of(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit =
          Cli.run(
              all.toArray(String[]::new),
              new ByteArrayInputStream(stdin == null ? new byte[0] : stdin),
              o,
              e);
    }
    return new CliRun(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  String out() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "exit " + exit + "\nstdout:\n" + out() + "\nstderr:\n" + stderr;
  }
}
