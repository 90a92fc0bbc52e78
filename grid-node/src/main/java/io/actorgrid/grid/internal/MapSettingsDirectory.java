package io.actorgrid.grid.internal;

import io.actorgrid.serialization.CborSerializable;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/*
 * Every node's copy of every map's settings, so that no write waits on another partition.
 *
 * A map's settings are decided and journaled by its home partition (Partitioner.homeOf), which
 * stays their one writer. Each partition publishes the settings it holds, as one entry keyed by
 * partition number, to a Distributed Data LWWMap: when it has recovered, and after every change.
 * The entry's clock is the partition's last journal sequence number, so a newer incarnation of a
 * partition always wins over an older one (a node frozen and downed that publishes late loses),
 * and a published entry replaces the partition's whole set, so removed settings disappear too.
 * Distributed Data replicates the map to every node (at once for changes, by gossip otherwise).
 *
 * Writes read the node's local replica: a map whose home partition is down, moving, or on a node
 * that is unreachable keeps the settings last published, and a map this node has never seen has
 * the settings the replica holds (none when it has none). The node that changed a map's settings
 * uses them at once (noteChange), ahead of the replica.
 */
public final class MapSettingsDirectory {

  /** The settings one partition holds, as of its journal sequence number {@code version}. */
  public record Published(long version, Map<String, MapConfig> configs)
      implements CborSerializable {}

  static final Key<LWWMap<Integer, Published>> KEY = LWWMapKey.create("actorgrid-map-settings");

  /** Orders a partition's publications by their sequence number, whatever the node's clock. */
  static final LWWRegister.Clock<Published> BY_VERSION = (now, published) -> published.version();

  private static final int MAX_LOCAL_CHANGES = 10_000;

  private final Partitioner partitioner;
  private final ConcurrentHashMap<Integer, Published> published = new ConcurrentHashMap<>();
  // Changes made through this node, ahead of the replica; a null config: settings removed.
  private final ConcurrentHashMap<String, LocalChange> localChanges = new ConcurrentHashMap<>();

  private record LocalChange(long version, MapConfig config) {}

  private MapSettingsDirectory(Partitioner partitioner) {
    this.partitioner = partitioner;
  }

  /** Starts the node's directory: it follows the replicated settings from now on. */
  public static MapSettingsDirectory start(ActorSystem<?> system, Partitioner partitioner) {
    MapSettingsDirectory directory = new MapSettingsDirectory(partitioner);
    system.systemActorOf(directory.subscriber(), "map-settings", Props.empty());
    return directory;
  }

  /** The map's settings as this node knows them; empty when it has none. */
  public Optional<MapConfig> get(String map) {
    Published fromHome = published.get(partitioner.homeOf(map));
    LocalChange local = localChanges.get(map);
    if (local != null && (fromHome == null || fromHome.version() < local.version())) {
      return Optional.ofNullable(local.config());
    }
    return fromHome == null ? Optional.empty() : Optional.ofNullable(fromHome.configs().get(map));
  }

  /** Records a change this node made (null config: removed) so that it applies here at once. */
  public void noteChange(String map, long version, MapConfig config) {
    if (localChanges.size() >= MAX_LOCAL_CHANGES) {
      localChanges.clear();
    }
    localChanges.merge(
        map, new LocalChange(version, config), (a, b) -> a.version() >= b.version() ? a : b);
  }

  /**
   * Reads the settings from a majority of the nodes into this node's replica, so that a node that
   * has just joined knows the settings published before it came. Completes exceptionally when a
   * majority does not answer within {@code timeout}.
   */
  public CompletionStage<Void> readFromMajority(ActorSystem<?> system, Duration timeout) {
    ActorRef<Replicator.Command> replicator = DistributedData.get(system).replicator();
    return AskPattern.<Replicator.Command, Replicator.GetResponse<LWWMap<Integer, Published>>>ask(
            replicator,
            replyTo -> new Replicator.Get<>(KEY, new Replicator.ReadMajority(timeout), replyTo),
            timeout.plusSeconds(1),
            system.scheduler())
        .thenCompose(
            response -> {
              if (response instanceof Replicator.GetSuccess<LWWMap<Integer, Published>> success) {
                merge(success.get(KEY));
                return CompletableFuture.completedFuture(null);
              }
              if (response instanceof Replicator.NotFound) {
                return CompletableFuture.completedFuture(null);
              }
              return CompletableFuture.failedFuture(
                  new IllegalStateException("map settings not read from a majority: " + response));
            });
  }

  private void merge(LWWMap<Integer, Published> map) {
    map.getEntries()
        .forEach(
            (partition, entry) ->
                published.merge(partition, entry, (a, b) -> a.version() >= b.version() ? a : b));
  }

  private Behavior<Replicator.SubscribeResponse<LWWMap<Integer, Published>>> subscriber() {
    return Behaviors.setup(
        ctx -> {
          DistributedData.get(ctx.getSystem())
              .replicator()
              .tell(new Replicator.Subscribe<>(KEY, ctx.getSelf()));
          return Behaviors.receiveMessage(
              msg -> {
                if (msg instanceof Replicator.Changed<LWWMap<Integer, Published>> changed) {
                  merge(changed.get(KEY));
                }
                return Behaviors.same();
              });
        });
  }

  /** Publishes the settings a partition holds; see the class comment. */
  static void publish(
      ActorSystem<?> system,
      int partition,
      Published settings,
      Replicator.WriteConsistency consistency,
      ActorRef<Replicator.UpdateResponse<LWWMap<Integer, Published>>> replyTo) {
    SelfUniqueAddress self = DistributedData.get(system).selfUniqueAddress();
    DistributedData.get(system)
        .replicator()
        .tell(
            new Replicator.Update<>(
                KEY,
                LWWMap.empty(),
                consistency,
                replyTo,
                map -> map.put(self, partition, settings, BY_VERSION)));
  }
}
