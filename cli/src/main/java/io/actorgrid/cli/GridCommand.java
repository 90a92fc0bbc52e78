package io.actorgrid.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command: it reaches the global options and streams through the root {@link Cli}. */
abstract class GridCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  Cli cli() {
    return (Cli) spec.root().userObject();
  }

  GridHttp http() {
    return cli().http();
  }

  @Override
  public final Integer call() throws Exception {
    return run();
  }

  /** Does the work; returns the exit status or throws a {@link CliException}. */
  abstract int run() throws Exception;
}
