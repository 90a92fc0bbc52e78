package io.actorgrid.systemtest;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stops the PostgreSQL server of a {@link GridCluster} and starts it again on the same data
 * directory and port, as an operator's database restart or crash looks to the nodes: every
 * connection breaks, and for a while none can be opened.
 *
 * <p>The server is found through its data directory: {@code postmaster.pid} names the running
 * postmaster, {@code postmaster.opts} the command line it was started with. Stopping is
 * PostgreSQL's fast shutdown (SIGINT: open transactions roll back, committed ones stay); starting
 * runs that command line again, in a user namespace ({@code unshare -U}) as the embedded launcher
 * does. The server then runs as a child of the test JVM, which {@link #close} stops if the
 * cluster's own shutdown did not.
 */
final class PostgresOutage implements AutoCloseable {

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

  private final Path dataDir;
  private Process restarted;

  PostgresOutage(Path dataDir) {
    this.dataDir = dataDir;
  }

  /** Stops the server (fast shutdown) and waits until its postmaster has exited. */
  void stop() throws IOException, InterruptedException {
    long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
    if (postmaster.isEmpty()) {
      throw new IllegalStateException("PostgreSQL postmaster " + pid + " is not running");
    }
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -INT " + pid + " failed");
    }
    Await.until(
        "PostgreSQL postmaster " + pid + " exits after a fast shutdown",
        STOP_TIMEOUT,
        () -> !postmaster.get().isAlive(),
        () -> "still running");
  }

  /** Starts the server again with the command line of its last start; waits until it listens. */
  void start() throws IOException, InterruptedException {
    String opts = Files.readString(dataDir.resolve("postmaster.opts"), UTF_8).trim();
    List<String> command = new ArrayList<>();
    // As the embedded launcher does: PostgreSQL refuses to run as root, and tests may run as root.
    command.add("unshare");
    command.add("-U");
    command.add(opts.split(" ", 2)[0]);
    Matcher quoted = QUOTED.matcher(opts);
    while (quoted.find()) {
      command.add(quoted.group(1));
    }
    int port = port(command);
    restarted =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(
                    dataDir.resolveSibling("postgres-restarted.log").toFile()))
            .start();
    Await.until(
        "PostgreSQL listens on port " + port + " again",
        STOP_TIMEOUT,
        () -> restarted.isAlive() && listens(port),
        () -> "exited: " + !restarted.isAlive() + "; command " + command);
  }

  private static int port(List<String> command) {
    int flag = command.indexOf("-p");
    if (flag < 0 || flag + 1 >= command.size()) {
      throw new IllegalStateException("no -p in PostgreSQL's command line " + command);
    }
    return Integer.parseInt(command.get(flag + 1));
  }

  private static boolean listens(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** Stops a server this class started, if it still runs. */
  @Override
  public void close() {
    Process running = restarted;
    if (running != null && running.isAlive()) {
      running.destroy();
      try {
        running.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
