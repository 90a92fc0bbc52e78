package io.actorgrid.grid.internal;

import io.actorgrid.grid.GridUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.RootActorPath;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.Patterns;

/*
 * Requests to partitions wherever they run, as the embedded API makes them: a reply mapped on the
 * node's dispatcher (on a 2-core machine the JDK's default async executor would start a thread
 * per task), and no reply within the request timeout turned into GridUnavailableException.
 *
 * Requests that only read may be sent again: the first attempt waits 60 % of the request timeout,
 * and one that gets no answer (a request lost while its partition moved) is sent again twice,
 * waiting 20 % each, within the same overall timeout, so a slow answer keeps most of the time it
 * had. Writes are never sent again: a lost write may still have been applied.
 */
public final class PartitionRequests {
  private static final int READ_ATTEMPTS = 3;

  private final ClusterSharding sharding;
  private final Duration timeout;
  private final GridMetrics metrics;
  private final Executor executor;

  public PartitionRequests(
      ClusterSharding sharding, Duration timeout, GridMetrics metrics, Executor executor) {
    this.sharding = sharding;
    this.timeout = timeout;
    this.metrics = metrics;
    this.executor = executor;
  }

  /**
   * Asks partition {@code p} once and maps its reply.
   *
   * @param counted whether a timeout counts in {@code actorgrid_unavailable_total} (the node's own
   *     warm-up pings do not: no client sees them)
   */
  public <R, T> CompletionStage<T> ask(
      int p,
      Function<ActorRef<R>, Partition.Command> message,
      Function<R, T> onReply,
      boolean counted) {
    return sharding
        .entityRefFor(Partition.TYPE_KEY, Integer.toString(p))
        .<R>ask(message::apply, timeout)
        .handleAsync(
            (reply, error) -> {
              if (error != null) {
                throw notAnswered(p, counted);
              }
              return onReply.apply(reply);
            },
            executor);
  }

  /** Asks partition {@code p} a request that only reads; see the class comment. */
  public <R, T> CompletionStage<T> askToRead(
      int p, Function<ActorRef<R>, Partition.Command> message, Function<R, T> onReply) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attemptRead(p, message, onReply, timeout.multipliedBy(3).dividedBy(5), READ_ATTEMPTS, result);
    return result;
  }

  private <R, T> void attemptRead(
      int p,
      Function<ActorRef<R>, Partition.Command> message,
      Function<R, T> onReply,
      Duration attemptTimeout,
      int attemptsLeft,
      CompletableFuture<T> result) {
    sharding
        .entityRefFor(Partition.TYPE_KEY, Integer.toString(p))
        .<R>ask(message::apply, attemptTimeout)
        .whenCompleteAsync(
            (reply, error) -> {
              if (error == null) {
                try {
                  result.complete(onReply.apply(reply));
                } catch (RuntimeException e) {
                  result.completeExceptionally(e);
                }
              } else if (attemptsLeft > 1) {
                attemptRead(p, message, onReply, timeout.dividedBy(5), attemptsLeft - 1, result);
              } else {
                result.completeExceptionally(notAnswered(p, true));
              }
            },
            executor);
  }

  private GridUnavailableException notAnswered(int p, boolean counted) {
    if (counted) {
      metrics.unavailable(GridMetrics.Unavailable.TIMEOUT);
    }
    return new GridUnavailableException(
        "partition "
            + p
            + " did not answer within "
            + timeout.toMillis()
            + " ms; it may be recovering or moving. Retry shortly.");
  }

  /**
   * The partitions the shard region of the node at {@code address} hosts, in order, as the region
   * answers. (The coordinator's cluster-wide statistics answer nothing at all while any member is
   * unreachable.) Shards that did not answer the region in time (a busy node) are still its own.
   */
  public static CompletableFuture<List<Integer>> hostedBy(
      ActorSystem<?> system, Address address, Duration timeout, Executor executor) {
    var region =
        Adapter.toClassic(system)
            .actorSelection(
                new RootActorPath(address, "/")
                    .$div("system")
                    .$div("sharding")
                    .$div(Partition.TYPE_KEY.name()));
    return Patterns.ask(region, ShardRegion.getShardRegionStateInstance(), timeout)
        .toCompletableFuture()
        .thenApplyAsync(
            reply -> {
              var state = (ShardRegion.CurrentShardRegionState) reply;
              TreeSet<Integer> partitions = new TreeSet<>();
              state.getShards().forEach(shard -> partitions.add(Integer.parseInt(shard.shardId())));
              state.getFailed().forEach(shard -> partitions.add(Integer.parseInt(shard)));
              return List.copyOf(partitions);
            },
            executor);
  }
}
