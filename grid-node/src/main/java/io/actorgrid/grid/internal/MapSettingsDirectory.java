package io.actorgrid.grid.internal;

import io.actorgrid.serialization.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.LWWRegisterKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/*
 * Every node's copy of every map's settings, so that writes do not wait on another partition.
 *
 * A map's settings are decided and journaled by its home partition (Partitioner.homeOf), which
 * stays their one writer. Each partition publishes the settings it holds, as one Distributed Data
 * register of its own, when it has recovered and after every change. The register's clock is the
 * partition's last journal sequence number, so a newer incarnation of a partition wins over an
 * older one wherever the two meet (a node frozen and downed that publishes late loses), and a
 * publication replaces the partition's whole set, so removed settings disappear too. Distributed
 * Data replicates the registers to every node: to a majority at once, to the rest by gossip.
 *
 * A write asks the node's copy. When the copy has the home partition's register, the map's
 * settings are what it says (none when it does not name the map), also while the home partition
 * is down or moving. When it has not (no publication has reached this node yet, as after a full
 * cluster restart before the home partition recovered), the write cannot know the settings from
 * here and the caller asks the home partition itself (Grid.mapConfig). The node that changed a
 * map's settings uses them at once (noteChange), ahead of the replica.
 */
public final class MapSettingsDirectory {

  /** The settings one partition holds, as of its journal sequence number {@code version}. */
  public record Published(long version, Map<String, MapConfig> configs)
      implements CborSerializable {}

  /** What this node knows of one map's settings. */
  public sealed interface Lookup {}

  /** The node has the home partition's publication: these settings, or none (null). */
  public record Known(MapConfig config) implements Lookup {}

  /** No publication of the map's home partition has reached this node. */
  public enum Unknown implements Lookup {
    INSTANCE
  }

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

  static Key<LWWRegister<Published>> key(int partition) {
    return LWWRegisterKey.create("actorgrid-map-settings-" + partition);
  }

  /** Starts the node's directory: it follows the replicated settings from now on. */
  public static MapSettingsDirectory start(ActorSystem<?> system, Partitioner partitioner) {
    MapSettingsDirectory directory = new MapSettingsDirectory(partitioner);
    system.systemActorOf(directory.subscriber(), "map-settings", Props.empty());
    return directory;
  }

  /** What this node knows of the map's settings; see the class comment. */
  public Lookup lookup(String map) {
    Published fromHome = published.get(partitioner.homeOf(map));
    LocalChange local = localChanges.get(map);
    if (local != null && (fromHome == null || fromHome.version() < local.version())) {
      return new Known(local.config());
    }
    return fromHome == null ? Unknown.INSTANCE : new Known(fromHome.configs().get(map));
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
   * Reads every partition's settings from a majority of the nodes into this node's replica, so that
   * a node that has just joined knows the settings published before it came. Completes
   * exceptionally when a majority does not answer within {@code timeout}.
   */
  public CompletionStage<Void> readFromMajority(
      ActorSystem<?> system, Duration timeout, Executor executor) {
    ActorRef<Replicator.Command> replicator = DistributedData.get(system).replicator();
    List<CompletableFuture<Void>> reads = new ArrayList<>();
    for (int p = 0; p < partitioner.partitions(); p++) {
      int partition = p;
      Key<LWWRegister<Published>> key = key(p);
      reads.add(
          AskPattern.<Replicator.Command, Replicator.GetResponse<LWWRegister<Published>>>ask(
                  replicator,
                  replyTo ->
                      new Replicator.Get<>(key, new Replicator.ReadMajority(timeout), replyTo),
                  timeout.plusSeconds(1),
                  system.scheduler())
              .thenAcceptAsync(
                  response -> {
                    if (response instanceof Replicator.GetSuccess<LWWRegister<Published>> ok) {
                      merge(partition, ok.get(key).getValue());
                    } else if (!(response instanceof Replicator.NotFound)) {
                      throw new IllegalStateException(
                          "map settings not read from a majority: " + response);
                    }
                  },
                  executor)
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new));
  }

  private void merge(int partition, Published settings) {
    published.merge(partition, settings, (a, b) -> a.version() >= b.version() ? a : b);
  }

  private Behavior<Replicator.SubscribeResponse<LWWRegister<Published>>> subscriber() {
    return Behaviors.setup(
        ctx -> {
          for (int p = 0; p < partitioner.partitions(); p++) {
            DistributedData.get(ctx.getSystem())
                .replicator()
                .tell(new Replicator.Subscribe<>(key(p), ctx.getSelf()));
          }
          return Behaviors.receiveMessage(
              msg -> {
                if (msg instanceof Replicator.Changed<LWWRegister<Published>> changed) {
                  String id = changed.key().id();
                  int p = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
                  merge(p, changed.get(changed.key()).getValue());
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
      ActorRef<Replicator.UpdateResponse<LWWRegister<Published>>> replyTo) {
    SelfUniqueAddress self = DistributedData.get(system).selfUniqueAddress();
    DistributedData.get(system)
        .replicator()
        .tell(
            new Replicator.Update<>(
                key(partition),
                LWWRegister.create(self, settings, BY_VERSION),
                consistency,
                replyTo,
                // A publication never replaces a newer one of another incarnation.
                register ->
                    register.getValue().version() > settings.version()
                        ? register
                        : register.withValue(self, settings, BY_VERSION)));
  }
}
