package io.actorgrid.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code actorgrid-cli}: the HTTP API v1 of a node from a shell. This class holds the global
 * options and the streams every command writes to; {@link #run} is what {@code main} and the tests
 * call.
 */
@Command(
    name = "actorgrid-cli",
    // Subcommands inherit --help and --version, and the exit status list below.
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    version = "actorgrid-cli 0.1.0",
    description = "Reads and writes an ActorGrid node through its HTTP API v1.",
    subcommands = {
      EntryCommands.Get.class,
      EntryCommands.Put.class,
      EntryCommands.Delete.class,
      EntryCommands.ListEntries.class,
      HistoryCommand.class,
      EntryCommands.Patch.class,
      EntryCommands.Incr.class,
      BatchCommand.class,
      MapCommands.Maps.class,
      MapCommands.MapCommand.class,
      ClusterCommands.Cluster.class,
      ClusterCommands.Health.class,
      ExportCommand.class,
      ImportCommand.class
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:done",
      "1:any other failure (409 conflict, 500, I/O error)",
      "2:bad input: usage, or the node answered 400, 405, 413, 415 or 422",
      "3:not found (404)",
      "4:precondition failed (412)",
      "5:the node is unreachable or unavailable (503)",
      "6:some items of a batch or records of an import failed"
    })
public final class Cli {
  /** How commands print their results. */
  enum Output {
    table,
    json
  }

  @Option(
      names = "--url",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:GRID_URL:-http://127.0.0.1:8080}",
      description = "The node's HTTP API (env GRID_URL; default ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = {"-o", "--output"},
      scope = ScopeType.INHERIT,
      defaultValue = "table",
      description = "table (for people) or json (for programs); default ${DEFAULT-VALUE}.")
  Output output;

  @Option(
      names = "--token",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:GRID_TOKEN}",
      description = "Sent as Authorization: Bearer (env GRID_TOKEN).")
  String token;

  /** Reads values: exact numbers, as the node reads them. */
  final ObjectMapper mapper =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  final InputStream in;
  final PrintStream out;
  final PrintStream err;
  private GridHttp http;

  Cli(InputStream in, PrintStream out, PrintStream err) {
    this.in = in;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    int status = run(args, System.in, System.out, System.err);
    System.out.flush();
    System.exit(status);
  }

  /** Runs one command line and returns its exit status; nothing escapes as an exception. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    Cli cli = new Cli(in, out, err);
    CommandLine line = new CommandLine(cli);
    line.setCaseInsensitiveEnumValuesAllowed(true);
    line.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    line.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    line.setParameterExceptionHandler(
        (e, commandArgs) -> {
          // The mistake and where to read more; the whole usage text would bury the mistake.
          CommandLine command = e.getCommandLine();
          err.println("actorgrid-cli: " + e.getMessage());
          err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help'.");
          return ExitCodes.USAGE;
        });
    line.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          out.flush();
          if (e instanceof CliException failure) {
            err.println("actorgrid-cli: " + failure.getMessage());
            return failure.exitCode();
          }
          // A bug or an unforeseen local failure: one line, and the trace only on request.
          err.println("actorgrid-cli: " + e);
          if (System.getenv("ACTORGRID_CLI_DEBUG") != null) {
            e.printStackTrace(err);
          }
          return ExitCodes.ERROR;
        });
    int status = line.execute(args);
    out.flush();
    err.flush();
    return status;
  }

  GridHttp http() {
    if (http == null) {
      http = new GridHttp(url, token, mapper);
    }
    return http;
  }

  boolean json() {
    return output == Output.json;
  }

  /** Prints a JSON document, indented, on stdout. */
  void printJson(JsonNode node) {
    try {
      out.println(
          mapper.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new CliException(ExitCodes.ERROR, "cannot print JSON: " + e.getOriginalMessage());
    }
  }
}
