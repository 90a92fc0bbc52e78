package io.actorgrid.grid.internal;

import com.typesafe.config.Config;
import io.actorgrid.grid.internal.rocks.RocksPersistence;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * The start of a node before it hosts partitions (see {@code Grid.start}): the checks of its
 * settings against its journal, its actor system, its journal opened or its schema created (a start
 * fails early rather than on the first write), and its meters, with the cluster gauges.
 */
public final class NodeStartup {
  private NodeStartup() {}

  /**
   * The node's actor system, its journal ready.
   *
   * @throws IllegalStateException when the settings do not fit the journal, or the journal cannot
   *     be reached or its schema created
   */
  public static ActorSystem<?> startSystem(Config config, GridSettings settings) {
    if (!settings.journal().shared() && settings.joinsOthers()) {
      throw new IllegalStateException(
          "this node is configured to join other nodes (seed nodes or bootstrap), but its journal"
              + " is embedded ("
              + settings.journal().name().toLowerCase(java.util.Locale.ROOT)
              + " under the data directory), which only this node can use: nodes would persist"
              + " the same partitions to different files. Use a shared journal for clusters:"
              + " GRID_JOURNAL=postgres with GRID_JDBC_URL, or GRID_JOURNAL=cassandra.");
    }
    EmbeddedJournals.check(
        settings,
        !config.getString("actorgrid.journal.h2-url").isEmpty()
            || !config.getString("actorgrid.journal.rocksdb.dir").isEmpty());
    Config effective = NodeConfig.effective(config, settings);
    ActorSystem<?> system =
        ActorSystem.create(Guardian.create(settings), GridSettings.SYSTEM_NAME, effective);
    if (EmbeddedJournals.keptH2(config, settings)) {
      system
          .log()
          .warn(
              "The data directory {} holds an H2 journal (made by an older version, whose default"
                  + " was H2), so this node goes on with H2. New data directories get RocksDB,"
                  + " the default since then: about twice the writes per second and faster"
                  + " restarts. To move this one, stop the node and run: bin/actorgrid migrate"
                  + " (docs/operations.md, \"Moving from H2 to RocksDB\"). GRID_JOURNAL=h2 keeps"
                  + " H2 without this message.",
              settings.dataDir());
    }
    if (settings.journal() == GridSettings.Journal.ROCKSDB) {
      // No schema; opened now, so that a locked or unreadable directory fails the start.
      try {
        RocksPersistence.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system));
      } catch (RuntimeException e) {
        system.terminate();
        throw new IllegalStateException("the RocksDB journal could not be opened: " + e, e);
      }
    } else if (settings.journal() != GridSettings.Journal.CASSANDRA) {
      // Cassandra's plugin creates its keyspace and tables itself (schema-autocreate).
      try {
        (settings.journal() == GridSettings.Journal.H2
                ? SchemaUtils.applyScript(h2Schema(), system)
                : SchemaUtils.createIfNotExists(system))
            .toCompletableFuture()
            .get(settings.startupTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        system.terminate();
        throw new IllegalStateException(
            "the journal schema could not be created (is the database reachable?): " + e, e);
      }
      if (settings.journal() == GridSettings.Journal.H2) {
        // H2 closes its database when a write to its file fails (a full disk): open it again.
        H2Reopener.start(system);
      }
    }
    return system;
  }

  /** The node's meters in {@code registry}: its own, the cluster's and RocksDB's. */
  public static GridMetrics metrics(
      MeterRegistry registry, GridSettings settings, ActorSystem<?> system) {
    GridMetrics metrics = new GridMetrics(registry, settings.partitions());
    clusterGauges(metrics, system);
    if (settings.journal() == GridSettings.Journal.ROCKSDB) {
      RocksPersistence.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system))
          .registerMetrics(metrics);
    }
    return metrics;
  }

  /** Member statuses by their label in {@code actorgrid_cluster_members}. */
  private static final Map<String, MemberStatus> STATUSES =
      Map.of(
          "joining", MemberStatus.joining(),
          "weakly_up", MemberStatus.weaklyUp(),
          "up", MemberStatus.up(),
          "preparing_for_shutdown", MemberStatus.shuttingDown(),
          "ready_for_shutdown", MemberStatus.shutDown(),
          "leaving", MemberStatus.leaving(),
          "exiting", MemberStatus.exiting(),
          "down", MemberStatus.down());

  /** Members by status and unreachable members, as this node sees the cluster when scraped. */
  private static void clusterGauges(GridMetrics metrics, ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    STATUSES.forEach(
        (label, status) ->
            metrics.gauge(
                "actorgrid.cluster.members",
                "Members of the cluster by status, as this node sees it",
                "status",
                label,
                () -> {
                  int n = 0;
                  for (Member m : cluster.state().getMembers()) {
                    if (m.status().equals(status)) {
                      n++;
                    }
                  }
                  return n;
                }));
    metrics.gauge(
        "actorgrid.cluster.unreachable.members",
        "Members this node's failure detector marks unreachable",
        () -> cluster.state().getUnreachable().size());
  }

  private static String h2Schema() {
    // The schema is a resource of the API package, beside Grid, where it always was.
    try (var in = NodeStartup.class.getResourceAsStream("/io/actorgrid/grid/h2-schema.sql")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException | NullPointerException e) {
      throw new IllegalStateException("h2-schema.sql is missing from the grid-node jar", e);
    }
  }
}
