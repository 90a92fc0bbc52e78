package io.actorgrid.cli;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The client as a process of its own, on the class path bin/actorgrid-cli gives it. */
final class ClientProcess {
  private ClientProcess() {}

  /** This build's classes and the client's jars, taken from the test class path. */
  static String classpath() throws Exception {
    String classes = classesDir().toString();
    String jars =
        Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(p -> p.contains("picocli") || p.contains("jackson-"))
            .collect(Collectors.joining(File.pathSeparator));
    return classes + File.pathSeparator + jars;
  }

  /** {@code java -cp ... io.actorgrid.cli.Cli --url URL args}. */
  static ProcessBuilder java(String url, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(classpath());
    command.add(Cli.class.getName());
    command.add("--url");
    command.add(url);
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  /**
   * {@code bin/actorgrid-cli args} itself, told to run this build's classes: building the jar from
   * inside the build that tests it would be slow and would race the build.
   */
  static ProcessBuilder script(String... args) throws Exception {
    Path script = classesDir().resolve("../../../bin/actorgrid-cli").normalize();
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("ACTORGRID_CLI_CLASSPATH", classpath());
    builder.environment().remove("GRID_URL");
    builder.environment().remove("GRID_TOKEN");
    return builder;
  }

  private static Path classesDir() throws Exception {
    return Paths.get(Cli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
