package io.actorgrid.http;

import ch.qos.logback.classic.LoggerContext;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.Grid;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an ActorGrid node with its HTTP API. Configuration comes from {@code -Dconfig.file} (the
 * launcher passes the repository's {@code application.conf}) over the modules' defaults.
 *
 * <p>The JVM exits when the node stops for any reason (SIGTERM, or the cluster downing it), so a
 * supervisor sees a stopped node as a stopped process.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    String logFormat =
        System.getProperty(
            "GRID_LOG_FORMAT", System.getenv().getOrDefault("GRID_LOG_FORMAT", "text"));
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      // logback.xml would fall back to text; an operator who asked for another format should know.
      System.err.println("GRID_LOG_FORMAT is '" + logFormat + "'; use text or json");
      System.exit(1);
    }
    Config config =
        ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on")
            .withFallback(ConfigFactory.load());
    HttpSettings http;
    Exposure.Verdict exposure;
    try {
      http = HttpSettings.from(config);
      exposure = Exposure.check(config, http);
    } catch (RuntimeException e) {
      log.error("The node could not start: {}", e.getMessage());
      System.err.println("actorgrid: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (exposure.refuses()) {
      String refusal = Exposure.refusal(exposure);
      log.error(refusal);
      System.err.println("actorgrid: " + refusal);
      System.exit(2);
      return;
    }
    exposure.warnings().forEach(log::warn);
    long started = System.nanoTime();
    Grid grid;
    try {
      grid = Grid.start(config, PrometheusMetrics.newRegistry());
    } catch (RuntimeException e) {
      log.error("The node could not start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    logNodeAddress(grid);
    ServerBinding binding;
    try {
      binding = GridHttpServer.start(grid, http).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      log.error(
          "The HTTP API could not start on {}:{}: {}. Set GRID_HTTP_PORT to a free port, or"
              + " check the TLS files (GRID_TLS_*).",
          http.host(),
          http.port(),
          cause.getMessage());
      grid.close();
      System.exit(1);
      return;
    }
    log.info(
        "HTTP API listening on {}://{}:{}{}",
        http.scheme(),
        binding.localAddress().getHostString(),
        binding.localAddress().getPort(),
        http.tls().isEmpty()
            ? ""
            : http.tls().get().clientCaFile().isPresent()
                ? " (TLS, client certificates required)"
                : " (TLS)");
    grid.system()
        .scheduler()
        .scheduleOnce(
            java.time.Duration.ZERO,
            () -> awaitReadyAndLog(grid, started),
            grid.system().executionContext());
  }

  /** Every later log line carries this node's cluster address ({@code node} in the JSON log). */
  private static void logNodeAddress(Grid grid) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.putProperty("node", Cluster.get(grid.system()).selfMember().address().hostPort());
    }
  }

  private static void awaitReadyAndLog(Grid grid, long started) {
    try {
      grid.awaitReady(java.time.Duration.ofMinutes(10));
      log.info(
          "Node ready in {} ms: every partition has recovered",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    } catch (RuntimeException e) {
      log.warn("The node is not ready yet: {}", e.getMessage());
    }
  }
}
