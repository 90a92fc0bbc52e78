package io.actorgrid.grid.internal;

import io.actorgrid.grid.Readiness;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Whether the node serves (see {@code Grid.readiness}). Two conditions are learnt once, after the
 * start: every partition has answered a ping (so each has recovered, on whichever node), and then
 * the map settings were read from a majority of the nodes; each is retried every second until it
 * succeeds or the node stops. The others are asked at each call: the node is up in its cluster and
 * not shutting down, and the journal answers a query.
 */
public final class NodeReadiness {
  private final ActorSystem<?> system;
  private final GridSettings settings;
  private final PartitionRequests requests;
  private final MapSettingsDirectory mapSettings;
  private final Executor executor;
  private final CompletableFuture<Void> warmedUp = new CompletableFuture<>();
  private final AtomicInteger partitionsAnswered = new AtomicInteger();
  private final CompletableFuture<Void> settingsRead = new CompletableFuture<>();

  public NodeReadiness(
      ActorSystem<?> system,
      GridSettings settings,
      PartitionRequests requests,
      MapSettingsDirectory mapSettings,
      Executor executor) {
    this.system = system;
    this.settings = settings;
    this.requests = requests;
    this.mapSettings = mapSettings;
    this.executor = executor;
  }

  /** Pings every partition, then reads the map settings once all have answered. */
  public void start() {
    for (int p = 0; p < settings.partitions(); p++) {
      warmUp(p);
    }
  }

  public CompletionStage<Readiness> readiness() {
    if (CoordinatedShutdown.get(system).getShutdownReason().isPresent()) {
      return CompletableFuture.completedFuture(new Readiness(false, "the node is shutting down"));
    }
    MemberStatus status = Cluster.get(system).selfMember().status();
    if (status != MemberStatus.up()) {
      return CompletableFuture.completedFuture(
          new Readiness(false, "the node is not up in its cluster (status " + status + ")"));
    }
    if (!warmedUp.isDone()) {
      return CompletableFuture.completedFuture(
          new Readiness(
              false,
              partitionsAnswered.get()
                  + " of "
                  + settings.partitions()
                  + " partitions have recovered"));
    }
    if (!settingsRead.isDone()) {
      return CompletableFuture.completedFuture(
          new Readiness(false, "the map settings are not yet read from a majority of the nodes"));
    }
    return probeJournal()
        .handleAsync(
            (done, error) ->
                error == null
                    ? new Readiness(true, "ready")
                    : new Readiness(false, "the journal does not answer: " + error),
            executor);
  }

  private void warmUp(int p) {
    requests
        .ask(p, Partition.Ping::new, Function.identity(), false)
        .whenComplete(
            (pong, error) -> {
              if (error == null) {
                if (partitionsAnswered.incrementAndGet() == settings.partitions()) {
                  warmedUp.complete(null);
                  readMapSettings();
                }
              } else if (!system.getWhenTerminated().toCompletableFuture().isDone()) {
                system
                    .scheduler()
                    .scheduleOnce(
                        Duration.ofSeconds(1), () -> warmUp(p), system.executionContext());
              }
            });
  }

  /**
   * Reads the map settings from a majority of the nodes once every partition has answered (and so
   * has published its settings), retrying until it succeeds: a node that joins a running cluster
   * knows every map's settings before it is ready.
   */
  private void readMapSettings() {
    mapSettings
        .readFromMajority(system, settings.requestTimeout(), executor)
        .whenComplete(
            (done, error) -> {
              if (error == null) {
                settingsRead.complete(null);
              } else if (!system.getWhenTerminated().toCompletableFuture().isDone()) {
                system
                    .scheduler()
                    .scheduleOnce(
                        Duration.ofSeconds(1), this::readMapSettings, system.executionContext());
              }
            });
  }

  private CompletionStage<Void> probeJournal() {
    // A real query against the journal, cheap with the (persistence id, sequence number) index.
    var journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(
                CurrentEventsByPersistenceIdQuery.class, settings.journal().readJournalPluginId());
    return journal
        .currentEventsByPersistenceId(
            Partition.persistenceId(0).id(), Long.MAX_VALUE - 1, Long.MAX_VALUE)
        .runWith(Sink.ignore(), system)
        .toCompletableFuture()
        .orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .thenApplyAsync(done -> null, executor);
  }
}
