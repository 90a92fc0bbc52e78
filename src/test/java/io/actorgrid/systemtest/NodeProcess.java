package io.actorgrid.systemtest;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One ActorGrid node running in its own JVM, started from the test classpath with the operator's
 * {@code application.conf}, the way {@code bin/} would start it.
 *
 * <p>The node's stdout and stderr go to a log file next to its data directory; every start and
 * every signal the test sends is marked in that log, and failures quote its tail, because that tail
 * is all a CI run leaves behind. A restart reuses the ports, data directory and log file, so the
 * restarted node recovers what the previous one journaled.
 *
 * <p>A JVM shutdown hook kills the node if the test JVM exits without closing it (for example when
 * surefire gives up on a hung fork), so no node outlives the build.
 */
final class NodeProcess implements AutoCloseable {

  /** Generous: a node on a loaded 2-core CI machine may need tens of seconds to start. */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  /** Marks a quoted log tail in a failure message, so it is never quoted twice. */
  static final String LOG_TAIL_HEADER = "--- last lines of node log ";

  private static final String MAIN_CLASS = "io.actorgrid.http.Main";

  /**
   * A key of {@code extraEnv} that is not passed to the node: the {@code cgroup.procs} file of a
   * cgroup v2 directory the node's process starts in ({@link NodeCgroup}).
   */
  static final String CGROUP_PROCS = "ACTORGRID_TEST_CGROUP_PROCS";

  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(30);
  private static final int LOG_TAIL_BYTES = 24 * 1024;
  private static final int LOG_TAIL_LINES = 80;

  private final Path dataDir;
  private final NodePorts ports;
  private final Map<String, String> extraEnv;
  private final List<String> jvmOptions;
  private final Path logFile;
  private final Path configFile;
  private final HttpClient probe;
  private final Thread killOnJvmExit;

  // Volatile for the shutdown hook, which reads it from another thread.
  private volatile Process process;
  private Instant startedAt;
  private int starts;
  private int readyReportedForStart;

  private NodeProcess(
      Path dataDir, NodePorts ports, Map<String, String> extraEnv, List<String> jvmOptions) {
    this.dataDir = dataDir.toAbsolutePath();
    this.ports = ports;
    this.extraEnv = Map.copyOf(extraEnv);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.logFile = this.dataDir.resolveSibling(this.dataDir.getFileName() + ".log");
    this.configFile = repositoryRoot().resolve("application.conf");
    this.probe =
        TestTls.clientBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    this.killOnJvmExit =
        new Thread(
            () -> {
              Process running = process;
              if (running != null) {
                running.destroyForcibly();
              }
            },
            "kill-node-" + ports.http());
  }

  /**
   * Starts a node that keeps its journal in {@code dataDir} (created if missing) and logs to {@code
   * <dataDir>.log} beside it. {@code extraEnv} adds or overrides the node's {@code GRID_*}
   * environment, for example {@code GRID_SEED_NODES} for a multi-node cluster.
   */
  static NodeProcess start(Path dataDir, NodePorts ports, Map<String, String> extraEnv)
      throws IOException {
    return start(dataDir, ports, extraEnv, List.of());
  }

  /**
   * Like {@link #start(Path, NodePorts, Map)}, with {@code jvmOptions} added to the node's {@code
   * java} command line, for example {@code -Dactorgrid.partitions=32}: system properties override
   * {@code application.conf} for settings that have no environment variable.
   */
  static NodeProcess start(
      Path dataDir, NodePorts ports, Map<String, String> extraEnv, List<String> jvmOptions)
      throws IOException {
    NodeProcess node = new NodeProcess(dataDir, ports, extraEnv, jvmOptions);
    Runtime.getRuntime().addShutdownHook(node.killOnJvmExit);
    node.launch();
    return node;
  }

  /**
   * Starts the node again on the same ports and data directory after {@link #kill} or {@link
   * #stop}.
   */
  void restart() throws IOException {
    if (isAlive()) {
      throw new IllegalStateException("node on port " + ports.http() + " is still running");
    }
    launch();
  }

  private void launch() throws IOException {
    if (NodeProcess.class.getClassLoader().getResource(MAIN_CLASS.replace('.', '/') + ".class")
        == null) {
      throw new IllegalStateException(
          MAIN_CLASS + " is not on the test classpath; build the node modules first");
    }
    Files.createDirectories(dataDir);
    starts++;
    appendToLog(
        "start #" + starts + " (http " + ports.http() + ", cluster " + ports.cluster() + ")");

    List<String> command = new ArrayList<>();
    String cgroupProcs = extraEnv.get(CGROUP_PROCS);
    if (cgroupProcs != null) {
      // Into the cgroup before the JVM runs, so that every socket it opens belongs to it.
      command.addAll(List.of("sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", cgroupProcs));
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.addAll(jvmOptions);
    command.add("-Dconfig.file=" + configFile);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(MAIN_CLASS);

    ProcessBuilder builder = new ProcessBuilder(command);
    // Inherited GRID_* variables (a developer's shell, a CI job) must not reach a test node.
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("GRID_"));
    env.put("GRID_HTTP_HOST", "127.0.0.1");
    env.put("GRID_HTTP_PORT", Integer.toString(ports.http()));
    env.put("GRID_CLUSTER_HOST", "127.0.0.1");
    env.put("GRID_CLUSTER_PORT", Integer.toString(ports.cluster()));
    env.put("GRID_DATA_DIR", dataDir.toString());
    env.putAll(extraEnv);
    env.remove(CGROUP_PROCS);
    // Relative paths the node might write land in the test's temporary folder, not the repository.
    builder.directory(dataDir.getParent().toFile());
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    // stdin stays an open, silent pipe: a main that stops at end of input keeps running.

    startedAt = Instant.now();
    process = builder.start();
  }

  /**
   * Polls {@code GET /health/ready} until it answers 200 and returns the time since the start,
   * which the test prints but never asserts. Fails with the log tail if the process exits first or
   * the timeout passes.
   */
  Duration awaitReady(Duration timeout) throws InterruptedException {
    Process current = process;
    HttpRequest ready =
        HttpRequest.newBuilder(baseUri().resolve("/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .GET()
            .build();
    Await.until(
        "the node on port " + ports.http() + " is ready (start #" + starts + ")",
        timeout,
        () -> {
          if (!current.isAlive()) {
            throw new AssertionError(
                "node exited with code "
                    + current.exitValue()
                    + " before it was ready"
                    + logTailForMessage());
          }
          return answersOk(ready);
        },
        this::logTailForMessage);
    Duration startToReady = Duration.between(startedAt, Instant.now());
    if (readyReportedForStart != starts) {
      // Cluster tests wait for every node again and again; the start-up time is news once.
      readyReportedForStart = starts;
      System.out.printf(
          "node http=%d pid=%d start #%d ready after %d ms%n",
          ports.http(), current.pid(), starts, startToReady.toMillis());
    }
    return startToReady;
  }

  private boolean answersOk(HttpRequest request) {
    try {
      return probe.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException notListeningYet) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while probing the node", e);
    }
  }

  /** SIGKILL: the node gets no chance to flush or to leave the cluster. Waits for the exit. */
  void kill() {
    Process current = process;
    if (current == null || !current.isAlive()) {
      return;
    }
    current.destroyForcibly();
    if (!waitForExit(current)) {
      throw new AssertionError(
          "node pid " + current.pid() + " still runs " + EXIT_TIMEOUT + " after SIGKILL");
    }
    appendToLog("test sent SIGKILL; exit code " + current.exitValue());
  }

  /**
   * SIGTERM: the node runs its coordinated shutdown. Falls back to {@link #kill} when it has not
   * exited after 30 s; returns whether it exited by itself.
   */
  boolean stop() {
    Process current = process;
    if (current == null || !current.isAlive()) {
      return true;
    }
    current.destroy();
    if (waitForExit(current)) {
      appendToLog("test sent SIGTERM; exit code " + current.exitValue());
      return true;
    }
    appendToLog("test sent SIGTERM; no exit after " + EXIT_TIMEOUT + ", sending SIGKILL");
    kill();
    return false;
  }

  /**
   * SIGSTOP: the node stops dead without knowing it, as in a long GC pause or a suspended VM; its
   * sockets stay open, so peers' messages queue up unanswered until {@link #resume}.
   */
  void suspend() throws IOException, InterruptedException {
    signal("STOP");
    appendToLog("test sent SIGSTOP");
  }

  /** SIGCONT: the node suspended by {@link #suspend} runs on. */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
    appendToLog("test sent SIGCONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process current = process;
    if (current == null || !current.isAlive()) {
      throw new IllegalStateException("node on port " + ports.http() + " is not running");
    }
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(current.pid()))
            .redirectErrorStream(true)
            .start();
    if (kill.waitFor() != 0) {
      String output = new String(kill.getInputStream().readAllBytes(), UTF_8);
      throw new IOException("kill -" + name + " " + current.pid() + " failed: " + output);
    }
  }

  /**
   * Waits until the process exits by itself (for a node that must refuse to start, or that was
   * downed) and returns its exit code; fails with the log tail if it still runs after {@code
   * timeout}.
   */
  int awaitExit(Duration timeout) throws InterruptedException {
    Process current = process;
    if (!current.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          "node pid " + current.pid() + " still runs after " + timeout + logTailForMessage());
    }
    appendToLog("process exited by itself with code " + current.exitValue());
    return current.exitValue();
  }

  private static boolean waitForExit(Process process) {
    try {
      return process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the node to exit", e);
    }
  }

  /** Kills the node if it still runs; the data directory and log stay for the test's cleanup. */
  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnJvmExit);
    } catch (IllegalStateException jvmAlreadyShuttingDown) {
      // The hook is running or about to run; it finds the node already dead.
    }
  }

  boolean isAlive() {
    Process current = process;
    return current != null && current.isAlive();
  }

  /**
   * The node's HTTP API: https when the test gave it {@code GRID_TLS_CERT_FILE} (clients must then
   * trust its CA, see {@link TestTls}), else http.
   */
  URI baseUri() {
    String scheme = extraEnv.containsKey("GRID_TLS_CERT_FILE") ? "https" : "http";
    return URI.create(scheme + "://127.0.0.1:" + ports.http());
  }

  /** The node's cluster address as {@code GET /v1/cluster} names it. */
  String clusterAddress() {
    return "pekko://actorgrid@127.0.0.1:" + ports.cluster();
  }

  /** Everything the node's process has written so far, for tests that check what it says. */
  String log() {
    try {
      return Files.readString(logFile, UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + logFile, e);
    }
  }

  @Override
  public String toString() {
    return "node http=" + ports.http() + " cluster=" + ports.cluster();
  }

  /** The last lines of the node's log, framed for appending to a failure message. */
  String logTailForMessage() {
    return "\n" + LOG_TAIL_HEADER + logFile + " ---\n" + logTail() + "\n--- end of node log ---";
  }

  private String logTail() {
    try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
      long length = file.length();
      long from = Math.max(0, length - LOG_TAIL_BYTES);
      byte[] bytes = new byte[(int) (length - from)];
      file.seek(from);
      file.readFully(bytes);
      List<String> lines = new String(bytes, UTF_8).lines().toList();
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  private void appendToLog(String event) {
    String line = "=== [system test] " + Instant.now() + " " + event + " ===\n";
    try {
      Files.writeString(logFile, line, UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + logFile, e);
    }
  }

  /**
   * The repository root, found as the nearest folder at or above the working directory that holds
   * {@code application.conf}: surefire runs in {@code src/test}, an IDE may run in the root.
   */
  private static Path repositoryRoot() {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("application.conf"))
          && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no application.conf in " + start + " or any folder above it");
  }
}
