package io.actorgrid.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Cassandra 5.0 node for tests, running as its own JVM.
 *
 * <p>Cassandra cannot run inside the test JVM: its dependencies (Netty, Guava, Jackson, the
 * DataStax driver, logback) clash with the node's. Its classpath is resolved by the Maven module
 * {@code test-servers/cassandra}, which writes {@code target/classpath.txt} at generate-resources;
 * nothing of Cassandra is on grid-node's classpath. When that file is missing (grid-node built
 * alone on a fresh clone) or older than the module's pom, this class runs {@code mvn} on the module
 * once to produce it. The system property {@code actorgrid.cassandra.classpath-file} names another
 * file.
 *
 * <p>The node is a single-token cluster of one on loopback, with free storage and native ports, all
 * its directories under the given directory, and a 1 GiB heap. Its commit log syncs in {@code
 * batch} mode: a write is acknowledged only after its commit log entry is fsynced. Cassandra's
 * default, {@code periodic}, acknowledges first and fsyncs every 10 s, so a machine crash could
 * lose writes the grid had already acknowledged; durability tests must not depend on that window.
 * Cassandra's output goes to {@code cassandra.log} in its directory.
 *
 * <p>The JVM running Cassandra is the test's own ({@code java.home}), which must be Java 11 or 17
 * for Cassandra 5.0; set {@code CASSANDRA_JAVA_HOME} to use another.
 */
public final class CassandraServer implements AutoCloseable {
  /** The data centre SimpleSnitch reports; the driver's local-datacenter must name it. */
  public static final String DATACENTER = "datacenter1";

  private static final String MODULE = "test-servers/cassandra";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  // Cassandra's conf/jvm17-server.options (5.0): the module system access it needs on Java 17.
  private static final List<String> JAVA17_FLAGS =
      List.of(
          "-Djdk.attach.allowAttachSelf=true",
          "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
          "--add-exports=java.sql/java.sql=ALL-UNNAMED",
          "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
          "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
          "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "-Dio.netty.tryReflectionSetAccessible=true");

  private final Process process;
  private final Path dir;
  private final int nativePort;
  private final Duration startTime;
  private final Thread killOnExit;

  private CassandraServer(
      Process process, Path dir, int nativePort, Duration startTime, Thread killOnExit) {
    this.process = process;
    this.dir = dir;
    this.nativePort = nativePort;
    this.startTime = startTime;
    this.killOnExit = killOnExit;
  }

  /**
   * Starts a node with a fresh data directory under {@code dir} and returns once its CQL port
   * accepts connections.
   *
   * @throws IllegalStateException when it exits or does not open its CQL port within 4 minutes; the
   *     message ends with the tail of Cassandra's log
   */
  public static CassandraServer start(Path dir) {
    try {
      Path home = Files.createDirectories(dir.resolve("cassandra"));
      int storagePort = freePort();
      int nativePort = freePort();
      Path yaml = home.resolve("cassandra.yaml");
      Files.writeString(yaml, yaml(home, storagePort, nativePort), UTF_8);
      Path logback = home.resolve("logback.xml");
      Files.writeString(logback, LOGBACK, UTF_8);
      Path log = home.resolve("cassandra.log");

      List<String> command = new ArrayList<>();
      command.add(javaHome().resolve("bin").resolve("java").toString());
      command.addAll(
          List.of(
              "-Xms1g",
              "-Xmx1g",
              "-XX:+UseG1GC",
              "-XX:+ExitOnOutOfMemoryError",
              "-ea",
              "-da:net.openhft..."));
      command.addAll(JAVA17_FLAGS);
      command.addAll(
          List.of(
              "-Djava.net.preferIPv4Stack=true",
              "-Dcassandra-foreground=yes",
              "-Dcassandra.config=" + yaml.toUri(),
              "-Dcassandra.storagedir=" + home,
              "-Dcassandra.logdir=" + home,
              "-Dlogback.configurationFile=" + logback,
              // A cluster of one: nothing to wait for before serving.
              "-Dcassandra.skip_wait_for_gossip_to_settle=0",
              "-Dcassandra.ring_delay_ms=0",
              "-XX:HeapDumpPath=" + home,
              "-cp",
              String.join(File.pathSeparator, classpath()),
              "org.apache.cassandra.service.CassandraDaemon"));
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(home.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      long started = System.nanoTime();
      Process process = builder.start();
      // Never leave a 1 GiB Cassandra behind when the test JVM dies without closing it.
      Thread killOnExit = new Thread(process::destroyForcibly, "cassandra-kill-on-exit");
      Runtime.getRuntime().addShutdownHook(killOnExit);
      CassandraServer server = null;
      try {
        awaitPort(process, nativePort, log);
        server =
            new CassandraServer(
                process,
                home,
                nativePort,
                Duration.ofNanos(System.nanoTime() - started),
                killOnExit);
        return server;
      } finally {
        if (server == null) {
          stop(process);
          Runtime.getRuntime().removeShutdownHook(killOnExit);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cassandra did not start", e);
    }
  }

  public int nativePort() {
    return nativePort;
  }

  /** host:port of the CQL port. */
  public String contactPoint() {
    return "127.0.0.1:" + nativePort;
  }

  /** From launch until the CQL port accepted a connection. */
  public Duration startTime() {
    return startTime;
  }

  public Path logFile() {
    return dir.resolve("cassandra.log");
  }

  /** The node settings that put its journal on this server, in the given keyspace. */
  public String nodeConfig(String keyspace) {
    return "actorgrid.journal.type = cassandra\n"
        + "actorgrid.journal.cassandra.contact-points = \""
        + contactPoint()
        + "\"\nactorgrid.journal.cassandra.local-datacenter = "
        + DATACENTER
        + "\nactorgrid.journal.cassandra.keyspace = "
        + keyspace
        // The plugin creates its keyspace and tables with the driver's request timeout (2 s by
        // default) and never retries one that fails: on a loaded 2-core machine a CREATE TABLE
        // took longer, and the node then failed every recovery ("table metadata does not
        // exist") until restarted.
        + "\ndatastax-java-driver.basic.request.timeout = 30s\n";
  }

  /** The last lines of Cassandra's log, for failure messages. */
  public String logTail(int lines) {
    return tail(logFile(), lines);
  }

  /** Stops Cassandra (SIGTERM, which drains it) and waits until its process has exited. */
  @Override
  public void close() {
    try {
      stop(process);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(killOnExit);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is exiting; the hook runs anyway and finds the process gone.
      }
    }
  }

  private static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitPort(Process process, int port, Path log) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Cassandra exited with status "
                + process.exitValue()
                + " before opening its CQL port "
                + port
                + "; end of "
                + log
                + ":\n"
                + tail(log, 60));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        return;
      } catch (IOException notYet) {
        sleep(250);
      }
    }
    throw new IllegalStateException(
        "Cassandra did not open its CQL port "
            + port
            + " within "
            + START_TIMEOUT
            + "; end of "
            + log
            + ":\n"
            + tail(log, 60));
  }

  /**
   * A minimal cassandra.yaml; everything not set here keeps Cassandra 5.0's default. One token and
   * a seed list of itself make it a complete cluster of one that does not bootstrap.
   */
  static String yaml(Path home, int storagePort, int nativePort) {
    return String.join(
        "\n",
        "cluster_name: actorgrid-test",
        "num_tokens: 1",
        "initial_token: 0",
        "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
        "endpoint_snitch: SimpleSnitch",
        "seed_provider:",
        "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
        "    parameters:",
        "      - seeds: \"127.0.0.1:" + storagePort + "\"",
        "listen_address: 127.0.0.1",
        "rpc_address: 127.0.0.1",
        "storage_port: " + storagePort,
        "native_transport_port: " + nativePort,
        "start_native_transport: true",
        "data_file_directories:",
        "  - " + home.resolve("data"),
        "commitlog_directory: " + home.resolve("commitlog"),
        "hints_directory: " + home.resolve("hints"),
        "saved_caches_directory: " + home.resolve("saved_caches"),
        "cdc_raw_directory: " + home.resolve("cdc_raw"),
        // Acknowledge a write only once its commit log entry is fsynced (see the class comment).
        "commitlog_sync: batch",
        // A fresh cluster that never had 4.x nodes: use 5.0's storage formats.
        "storage_compatibility_mode: NONE",
        // Test keyspaces are dropped with the directory, not kept as snapshots.
        "auto_snapshot: false",
        "");
  }

  private static final String LOGBACK =
      """
      <configuration>
        <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
        </appender>
        <root level="INFO"><appender-ref ref="STDOUT"/></root>
      </configuration>
      """;

  private static Path javaHome() {
    String override = System.getenv("CASSANDRA_JAVA_HOME");
    if (override != null && !override.isBlank()) {
      return Path.of(override);
    }
    int feature = Runtime.version().feature();
    if (feature != 11 && feature != 17) {
      throw new IllegalStateException(
          "Cassandra 5.0 runs on Java 11 or 17, but the tests run on Java "
              + feature
              + "; set CASSANDRA_JAVA_HOME to a Java 17 installation");
    }
    return Path.of(System.getProperty("java.home"));
  }

  /** Cassandra's jars, resolved by the test-servers/cassandra module. */
  static List<String> classpath() throws IOException {
    String configured = System.getProperty("actorgrid.cassandra.classpath-file");
    Path file;
    if (configured != null) {
      file = Path.of(configured);
    } else {
      Path module = findModule();
      file = module.resolve("target").resolve("classpath.txt");
      if (!usable(file, module.resolve("pom.xml"))) {
        resolveClasspath(module);
      }
    }
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("Cassandra's classpath file " + file + " does not exist");
    }
    List<String> jars = List.of(Files.readString(file, UTF_8).trim().split(File.pathSeparator));
    for (String jar : jars) {
      if (!Files.isRegularFile(Path.of(jar))) {
        throw new IllegalStateException(
            "Cassandra's classpath (" + file + ") names a missing file " + jar);
      }
    }
    return jars;
  }

  private static boolean usable(Path classpathFile, Path pom) throws IOException {
    if (!Files.isRegularFile(classpathFile)
        || Files.getLastModifiedTime(classpathFile).compareTo(Files.getLastModifiedTime(pom)) < 0) {
      return false;
    }
    for (String jar : Files.readString(classpathFile, UTF_8).trim().split(File.pathSeparator)) {
      if (!Files.isRegularFile(Path.of(jar))) {
        return false;
      }
    }
    return true;
  }

  /** The module folder, found from the working directory (a module of the repository) upwards. */
  private static Path findModule() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path module = p.resolve(MODULE);
      if (Files.isRegularFile(module.resolve("pom.xml"))) {
        return module;
      }
    }
    throw new IllegalStateException(
        "no "
            + MODULE
            + "/pom.xml above "
            + Path.of("").toAbsolutePath()
            + "; run the tests from the repository, or set -Dactorgrid.cassandra.classpath-file");
  }

  private static void resolveClasspath(Path module) throws IOException {
    Path log = Files.createTempFile("cassandra-classpath", ".log");
    List<String> command =
        List.of(
            "mvn", "-B", "-q", "-f", module.resolve("pom.xml").toString(), "generate-resources");
    Process mvn;
    try {
      mvn =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cassandra's classpath is not resolved and mvn is not on the PATH: run"
              + " 'mvn -pl "
              + MODULE
              + " generate-resources' in the repository",
          e);
    }
    try {
      if (!mvn.waitFor(15, TimeUnit.MINUTES)) {
        mvn.destroyForcibly();
        throw new IllegalStateException("resolving Cassandra's classpath took over 15 minutes");
      }
    } catch (InterruptedException e) {
      mvn.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while resolving Cassandra's classpath", e);
    }
    if (mvn.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + tail(log, 40));
    }
    Files.deleteIfExists(log);
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(" + file + " could not be read: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Cassandra", e);
    }
  }
}
