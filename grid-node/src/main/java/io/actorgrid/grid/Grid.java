package io.actorgrid.grid;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.ChangeFeeds;
import io.actorgrid.grid.internal.ChangeHub;
import io.actorgrid.grid.internal.EmbeddedJournals;
import io.actorgrid.grid.internal.GridMetrics;
import io.actorgrid.grid.internal.GridSettings;
import io.actorgrid.grid.internal.Guardian;
import io.actorgrid.grid.internal.H2Reopener;
import io.actorgrid.grid.internal.HistoryRetention;
import io.actorgrid.grid.internal.HistoryWalk;
import io.actorgrid.grid.internal.MapConfig;
import io.actorgrid.grid.internal.MapSettingsDirectory;
import io.actorgrid.grid.internal.MemoryGuard;
import io.actorgrid.grid.internal.NodeConfig;
import io.actorgrid.grid.internal.Partition;
import io.actorgrid.grid.internal.PartitionRequests;
import io.actorgrid.grid.internal.Partitioner;
import io.actorgrid.grid.internal.PauseFence;
import io.actorgrid.grid.internal.WriteOp;
import io.actorgrid.grid.internal.rocks.RocksPersistence;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * An ActorGrid node running in this JVM, and the entry point of the embedded API.
 *
 * <pre>{@code
 * try (Grid grid = Grid.start(ConfigFactory.load())) {
 *   grid.awaitReady(Duration.ofSeconds(60));
 *   GridMap users = grid.map("users");
 *   users.put("alice", bytes, "application/json").toCompletableFuture().join();
 * }
 * }</pre>
 *
 * <p>Records live in partitions, cluster-sharded event-sourced actors that may run on any node of
 * the cluster; every operation reaches the owning partition wherever it is. An operation's stage
 * completes with a {@link GridException} subclass when it fails: {@link GridUnavailableException}
 * when the partition did not answer within {@code actorgrid.request-timeout} (it is recovering,
 * moving after a node crash, or its journal fails).
 *
 * <p>Continuations of the returned stages run on the node's dispatcher; do not block in them.
 *
 * <p>The node measures itself with Micrometer ({@code actorgrid.*} meters: partitions hosted,
 * journal writes, recoveries, snapshots, refusals, cluster members): pass the application's {@link
 * MeterRegistry} to {@link #start(Config, MeterRegistry)}, or read them from {@link
 * #meterRegistry()}. Each meter counts what happens on this node only.
 */
public final class Grid implements AutoCloseable {
  // Compiled once: String.matches would compile the pattern on every request.
  private static final java.util.regex.Pattern MAP_NAME =
      java.util.regex.Pattern.compile(GridLimits.MAP_NAME_PATTERN);

  private final ActorSystem<?> system;
  private final GridSettings settings;
  private final ClusterSharding sharding;
  private final Partitioner partitioner;
  private final CompletableFuture<Void> warmedUp = new CompletableFuture<>();
  private final AtomicInteger partitionsAnswered = new AtomicInteger();
  private final CompletableFuture<Void> settingsRead = new CompletableFuture<>();
  private final MapSettingsDirectory mapSettings;
  private final GridMetrics metrics;
  private final PartitionRequests requests;
  private final ChangeFeeds changeFeeds;
  private final PauseFence pauseFence;
  private HistoryWalk historyWalk;

  private Grid(ActorSystem<?> system, GridSettings settings, GridMetrics metrics) {
    this.system = system;
    this.settings = settings;
    this.metrics = metrics;
    this.sharding = ClusterSharding.get(system);
    this.partitioner = new Partitioner(settings.partitions());
    this.requests =
        new PartitionRequests(
            sharding,
            settings.requestTimeout(),
            metrics,
            system.executionContext(),
            system.scheduler());
    this.mapSettings = MapSettingsDirectory.start(system, partitioner);
    this.changeFeeds = new ChangeFeeds(system, settings, requests);
    // Started with the node, so that it has watched the heap before the first write arrives.
    MemoryGuard.get(system);
    this.pauseFence = PauseFence.get(system);
  }

  /** Starts a node with {@code ConfigFactory.load()}. */
  public static Grid start() {
    return start(ConfigFactory.load());
  }

  /**
   * Starts a node whose meters go to a registry of its own, a {@link CompositeMeterRegistry} that
   * records nothing until a registry is added to it ({@link #meterRegistry()}); otherwise as {@link
   * #start(Config, MeterRegistry)}.
   */
  public static Grid start(Config config) {
    return start(config, new CompositeMeterRegistry());
  }

  /**
   * Starts a node: forms or joins its cluster, creates the journal schema if it is missing, and
   * starts hosting partitions. Returns once the schema exists; {@link #awaitReady} waits until the
   * node serves.
   *
   * @param registry where the node's meters go; {@link #close()} removes them again. Do not start
   *     two nodes on one registry: their meters would share names and tags.
   * @throws IllegalStateException when the journal cannot be reached or its schema created
   */
  public static Grid start(Config config, MeterRegistry registry) {
    GridSettings settings = GridSettings.from(config);
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
    GridMetrics metrics = new GridMetrics(registry, settings.partitions());
    clusterGauges(metrics, system);
    if (settings.journal() == GridSettings.Journal.ROCKSDB) {
      RocksPersistence.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system))
          .registerMetrics(metrics);
    }
    Grid grid = new Grid(system, settings, metrics);
    grid.sharding.init(
        Partition.entity(
            settings,
            metrics,
            new HistoryRetention(
                grid.mapSettings,
                settings.historyRetention(),
                settings.historySweepInterval(),
                () -> grid.historyWalk().reader(),
                grid.executor())));
    for (int p = 0; p < settings.partitions(); p++) {
      grid.warmUp(p);
    }
    return grid;
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
    try (var in = Grid.class.getResourceAsStream("h2-schema.sql")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException | NullPointerException e) {
      throw new IllegalStateException("h2-schema.sql is missing from the grid-node jar", e);
    }
  }

  /**
   * The map of this name. Maps need no creation: a map exists while it has entries or settings (see
   * {@link GridMap#configure}).
   *
   * @throws InvalidRequestException when the name does not match {@link
   *     GridLimits#MAP_NAME_PATTERN}
   */
  public GridMap map(String name) {
    if (name == null || !MAP_NAME.matcher(name).matches()) {
      throw new InvalidRequestException(
          "map name '"
              + name
              + "' is not valid: use 1 to 128 letters, digits, '.', '_' or '-', starting with a"
              + " letter or digit");
    }
    return new GridMap(this, name);
  }

  /**
   * A map of the node's own, such as the HTTP API's tokens: its name starts with {@link
   * GridLimits#RESERVED_MAP_PREFIX} and otherwise follows {@link GridLimits#MAP_NAME_PATTERN}, so
   * no user can name it through {@link #map} or the HTTP API, and {@link #maps()} leaves it out. It
   * is an ordinary map in every other way: journaled, replicated through its partitions, with
   * history.
   *
   * @throws InvalidRequestException when the name is not of that form
   */
  public GridMap reservedMap(String name) {
    if (name == null
        || !name.startsWith(GridLimits.RESERVED_MAP_PREFIX)
        || !MAP_NAME.matcher(name.substring(GridLimits.RESERVED_MAP_PREFIX.length())).matches()) {
      throw new InvalidRequestException(
          "reserved map name '"
              + name
              + "' is not '"
              + GridLimits.RESERVED_MAP_PREFIX
              + "' and a map name");
    }
    return new GridMap(this, name);
  }

  /**
   * The maps that hold entries or have settings, by name, with their entry counts and settings (not
   * the node's own, see {@link #reservedMap}). Counts are read from each partition in turn, so
   * under concurrent writes they are not one point-in-time snapshot.
   */
  public CompletionStage<List<MapInfo>> maps() {
    return summary()
        .thenApply(
            summary -> {
              List<MapInfo> infos = new ArrayList<>();
              summary
                  .counts()
                  .forEach(
                      (map, count) -> {
                        if (map.startsWith(GridLimits.RESERVED_MAP_PREFIX)) {
                          return;
                        }
                        MapConfig config = summary.configs().get(map);
                        infos.add(
                            config == null
                                ? new MapInfo(map, count)
                                : new MapInfo(map, count, toSettings(config), config.version()));
                      });
              return infos;
            });
  }

  /**
   * A feed of the changes of every map: each put, patch, increment, delete, expiry and clear, as
   * {@link Change}s, with back-pressure (the feed reads on as its subscriber requests). Each
   * subscriber of the publisher gets a feed of its own, from the query's start: {@link
   * ChangeQuery#fromNow()}, {@link ChangeQuery#fromBeginning()} (the oldest change the journal
   * still holds) or {@link ChangeQuery#after(String)} an id the feed delivered.
   *
   * <p><b>Guarantees.</b> Every acknowledged write appears in the feed. A consumer that resumes
   * after the id of the last item it processed sees each later change exactly once, with no gap and
   * no duplicate, whichever node it resumes on, across node crashes, failover and rebalancing (ids
   * are positions in the partitions' journals, which every node reads). The changes of one key
   * arrive in version order, and those of one partition in journal order; there is no order across
   * partitions. A write that was not acknowledged (it failed as unavailable or timed out) may
   * appear, at most once, if its journal write happened.
   *
   * <p><b>Items.</b> The first item is a checkpoint ({@link Change#isCheckpoint()}: an id only) of
   * the start position; more checkpoints follow when the feed is idle (at least every 10 s) or when
   * filtered-out changes moved its position, so a consumer of a quiet or narrow feed can store a
   * recent position.
   *
   * <p><b>Failures</b> reach the subscriber's {@code onError}: {@link ChangesGoneException} when
   * retention deleted changes after the start position (before the first item if the start is
   * already too old, later if retention overtakes a slow consumer), {@link
   * GridUnavailableException} when a feed from now could not learn the partitions' positions within
   * {@code actorgrid.request-timeout}. The feed never completes on its own.
   *
   * @throws InvalidRequestException when the query's id is malformed or from a grid with another
   *     number of partitions, or the query has a prefix (only a map's feed takes one)
   */
  public Flow.Publisher<Change> changes(ChangeQuery query) {
    return changeFeeds.open(null, query);
  }

  /**
   * The members of the cluster and which node hosts which partition, as far as the shard
   * coordinator can tell (see {@link ClusterView#partitions()}).
   */
  public CompletionStage<ClusterView> cluster() {
    Cluster cluster = Cluster.get(system);
    var state = cluster.state();
    List<ClusterView.Member> members = new ArrayList<>();
    for (Member m : state.getMembers()) {
      members.add(
          new ClusterView.Member(
              m.address().toString(),
              m.status().toString(),
              Set.copyOf(m.getRoles()),
              !state.getUnreachable().contains(m)));
    }
    String leader = state.getLeader() == null ? null : state.getLeader().toString();
    // Each reachable member's shard region says which partitions it hosts. (The coordinator's
    // cluster-wide statistics answer nothing at all while any member is unreachable.)
    Map<String, CompletableFuture<List<Integer>>> hosted = new TreeMap<>();
    for (Member m : state.getMembers()) {
      if (!state.getUnreachable().contains(m)) {
        hosted.put(
            m.address().toString(),
            PartitionRequests.hostedBy(system, m.address(), settings.requestTimeout(), executor()));
      }
    }
    return CompletableFuture.allOf(hosted.values().toArray(CompletableFuture[]::new))
        .handleAsync(
            (ignored, error) -> {
              Map<String, List<Integer>> partitions = new TreeMap<>();
              hosted.forEach(
                  (address, reply) -> {
                    if (!reply.isCompletedExceptionally() && !reply.join().isEmpty()) {
                      partitions.put(address, reply.join());
                    }
                  });
              return new ClusterView(
                  cluster.selfMember().address().toString(), leader, members, partitions);
            },
            executor());
  }

  /** Whether the node serves; see {@link Readiness}. */
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
            executor());
  }

  /**
   * Waits until the node is ready or the timeout passes.
   *
   * @throws GridUnavailableException when it is not ready in time
   */
  public void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Readiness last = null;
    while (System.nanoTime() < deadline) {
      last = readiness().toCompletableFuture().join();
      if (last.ready()) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new GridUnavailableException(
        "the node is not ready after " + timeout + ": " + (last == null ? "" : last.reason()));
  }

  public GridLimits limits() {
    return new GridLimits(
        settings.maxKeyBytes(),
        settings.maxValueBytes(),
        settings.maxListLimit(),
        settings.maxBatchItems(),
        settings.maxTtl());
  }

  /**
   * The registry the node's meters are in: the one given to {@link #start(Config, MeterRegistry)},
   * else the node's own {@link CompositeMeterRegistry}, to which an application may add registries.
   */
  public MeterRegistry meterRegistry() {
    return metrics.registry();
  }

  /** The node's actor system, for applications that run their own actors beside the grid. */
  public ActorSystem<?> system() {
    return system;
  }

  /**
   * Leaves the cluster and stops the node through coordinated shutdown: partitions hand over to the
   * other nodes (or stop, on a single node) after the writes they acknowledged; writes still queued
   * fail as unavailable. Waits until the node has stopped.
   */
  @Override
  public void close() {
    CoordinatedShutdown.get(system).run(CoordinatedShutdown.clusterLeavingReason());
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the node did not stop within 60 s", e);
    } finally {
      metrics.close();
    }
  }

  // Package-private plumbing for GridMap.

  Flow.Publisher<Change> changes(String map, ChangeQuery query) {
    return changeFeeds.open(map, query);
  }

  /**
   * For a write the journal refused: a sentence saying that the disk under the embedded journal is
   * full (less than 1 MiB usable, or the RocksDB journal's last write failed with "No space left on
   * device"), or an empty string (not embedded, or room left).
   */
  String fullDiskNote() {
    if (settings.journal() != GridSettings.Journal.H2
        && settings.journal() != GridSettings.Journal.ROCKSDB) {
      return "";
    }
    try {
      // RocksDB can fail for want of space with MiBs still free (it preallocates its log).
      boolean refused =
          settings.journal() == GridSettings.Journal.ROCKSDB
              && RocksPersistence.get(
                      org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system))
                  .outOfSpace();
      long usable = java.nio.file.Files.getFileStore(settings.dataDir()).getUsableSpace();
      if (usable >= 1 << 20 && !refused) {
        return "";
      }
      return " The disk under the journal ("
          + settings.dataDir()
          + ") is full: "
          + (refused ? "its last write failed with \"No space left on device\"; " : "")
          + usable
          + " bytes usable; the write may or may not have been written. Writes are accepted"
          + " again by themselves once there is room.";
    } catch (java.io.IOException | RuntimeException e) {
      return "";
    }
  }

  GridSettings settings() {
    return settings;
  }

  Partitioner partitioner() {
    return partitioner;
  }

  Executor executor() {
    return system.executionContext();
  }

  /** Walks record histories through this node's read journal, made on first use. */
  synchronized HistoryWalk historyWalk() {
    if (historyWalk == null) {
      historyWalk = new HistoryWalk(ChangeHub.get(system).reader(settings), executor());
    }
    return historyWalk;
  }

  /**
   * Asks partition {@code p} and maps its reply; see {@link PartitionRequests}. A timeout or a lost
   * partition becomes {@link GridUnavailableException}.
   */
  <R, T> CompletionStage<T> ask(
      int p, Function<ActorRef<R>, Partition.Command> message, Function<R, T> onReply) {
    return requests.ask(p, message, onReply, true);
  }

  /** As {@link #ask}, for a request that only reads, sent again if it gets no answer in time. */
  <R, T> CompletionStage<T> askToRead(
      int p, Function<ActorRef<R>, Partition.Command> message, Function<R, T> onReply) {
    if (!pauseFence.readsAllowed()) {
      // The partitions refuse too (PauseFence.guard); this says why.
      return CompletableFuture.failedFuture(new GridUnavailableException(pauseFence.refusal()));
    }
    return requests.askToRead(p, message, onReply);
  }

  /**
   * Asks partition {@code p} to apply {@code ops} as one write, sent again with the same internal
   * write id if it gets no answer in time, so that it is applied at most once; see {@link
   * PartitionRequests#askToWrite}.
   */
  <T> CompletionStage<T> askToWrite(
      int p, List<WriteOp> ops, Function<Partition.Outcomes, T> onReply) {
    return requests.askToWrite(p, ops, onReply);
  }

  /**
   * Live record counts by map name, with 0 for maps that only have settings, read from every
   * partition in turn.
   */
  CompletionStage<Map<String, Long>> counts() {
    return summary().thenApply(MapsSummary::counts);
  }

  /** Live record counts by map (0 for maps with only settings), and the maps' settings. */
  private record MapsSummary(Map<String, Long> counts, Map<String, MapConfig> configs) {}

  /** One pass over every partition: counts from each, settings from the maps' homes. */
  private CompletionStage<MapsSummary> summary() {
    List<CompletableFuture<Partition.Counts>> replies = new ArrayList<>();
    for (int p = 0; p < settings.partitions(); p++) {
      replies.add(
          askToRead(p, Partition.GetCounts::new, Function.identity()).toCompletableFuture());
    }
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
        .thenApplyAsync(
            ignored -> {
              Map<String, Long> total = new TreeMap<>();
              Map<String, MapConfig> configs = new TreeMap<>();
              for (var reply : replies) {
                Partition.Counts counts = reply.join();
                counts.counts().forEach((map, n) -> total.merge(map, n, Long::sum));
                configs.putAll(counts.configs());
              }
              configs.keySet().forEach(map -> total.merge(map, 0L, Long::sum));
              return new MapsSummary(total, configs);
            },
            executor());
  }

  /**
   * The map's settings as this node uses them for writes: its copy of the settings every home
   * partition publishes (see {@link MapSettingsDirectory}). Only when no publication of the map's
   * home partition has reached this node does it ask that partition (and fail as unavailable when
   * it does not answer): a write never goes ahead without the map's settings.
   */
  CompletionStage<MapConfig> mapConfig(String map) {
    if (mapSettings.lookup(map) instanceof MapSettingsDirectory.Known known) {
      return CompletableFuture.completedFuture(known.config() == null ? NO_CONFIG : known.config());
    }
    return readMapConfig(map).thenApply(config -> config.orElse(NO_CONFIG));
  }

  /** The map's settings, read from its home partition now. */
  CompletionStage<Optional<MapConfig>> readMapConfig(String map) {
    return askToRead(
        partitioner.homeOf(map),
        (ActorRef<Partition.ConfigReply> replyTo) -> new Partition.GetConfig(map, replyTo),
        reply -> Optional.ofNullable(reply.config()));
  }

  /**
   * Called after this node changed a map's settings (a null config: removed them) at {@code
   * version}, so that its next write uses them.
   */
  void noteMapConfig(String map, long version, MapConfig config) {
    mapSettings.noteChange(map, version, config);
  }

  static MapSettings toSettings(MapConfig config) {
    return new MapSettings(
        config.defaultTtlMillis() == 0 ? null : Duration.ofMillis(config.defaultTtlMillis()),
        config.maxValueBytes(),
        config.historyRetentionMillis() == 0
            ? null
            : Duration.ofMillis(config.historyRetentionMillis()));
  }

  private static final MapConfig NO_CONFIG = new MapConfig(0, 0, 0, 0, 0);

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
        .readFromMajority(system, settings.requestTimeout(), executor())
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
        .thenApplyAsync(done -> null, executor());
  }
}
