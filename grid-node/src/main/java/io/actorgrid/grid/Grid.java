package io.actorgrid.grid;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.ChangeFeeds;
import io.actorgrid.grid.internal.ChangeHub;
import io.actorgrid.grid.internal.ClusterViews;
import io.actorgrid.grid.internal.EmbeddedJournals;
import io.actorgrid.grid.internal.GridMetrics;
import io.actorgrid.grid.internal.GridSettings;
import io.actorgrid.grid.internal.HistoryRetention;
import io.actorgrid.grid.internal.HistoryWalk;
import io.actorgrid.grid.internal.LocalPartitions;
import io.actorgrid.grid.internal.MapConfig;
import io.actorgrid.grid.internal.MapSettingsDirectory;
import io.actorgrid.grid.internal.MemoryGuard;
import io.actorgrid.grid.internal.NodeReadiness;
import io.actorgrid.grid.internal.NodeStartup;
import io.actorgrid.grid.internal.Partition;
import io.actorgrid.grid.internal.PartitionRequests;
import io.actorgrid.grid.internal.PartitionState;
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
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

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
  private final MapSettingsDirectory mapSettings;
  private final GridMetrics metrics;
  private final PartitionRequests requests;
  private final ChangeFeeds changeFeeds;
  private final PauseFence pauseFence;
  private final LocalPartitions localPartitions;
  private final NodeReadiness readiness;
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
    this.localPartitions = LocalPartitions.get(system);
    this.readiness =
        new NodeReadiness(system, settings, requests, mapSettings, system.executionContext());
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
    ActorSystem<?> system = NodeStartup.startSystem(config, settings);
    GridMetrics metrics = NodeStartup.metrics(registry, settings, system);
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
    grid.readiness.start();
    return grid;
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
    return ClusterViews.of(system, settings, executor());
  }

  /** Whether the node serves; see {@link Readiness}. */
  public CompletionStage<Readiness> readiness() {
    return readiness.readiness();
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
    // RocksDB can fail for want of space with MiBs still free (it preallocates its log).
    boolean refused =
        settings.journal() == GridSettings.Journal.ROCKSDB
            && RocksPersistence.get(Adapter.toClassic(system)).outOfSpace();
    return EmbeddedJournals.fullDiskNote(settings, refused);
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

  /**
   * Partition {@code p}'s last durable state if the partition runs on this node and this node may
   * answer reads (see {@link LocalPartitions}, {@link PauseFence}), else null: ask it instead.
   */
  PartitionState localState(int p) {
    PartitionState state = localPartitions.state(p);
    return state != null && pauseFence.allowed() ? state : null;
  }

  /** As {@link #ask}, for a request that only reads, sent again if it gets no answer in time. */
  <R, T> CompletionStage<T> askToRead(
      int p, Function<ActorRef<R>, Partition.Command> message, Function<R, T> onReply) {
    if (!pauseFence.allowed()) {
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
}
