package io.actorgrid.grid.internal;

import io.actorgrid.grid.GridUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.RootActorPath;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.Patterns;
import scala.concurrent.ExecutionContextExecutor;

/*
 * Requests to partitions wherever they run, as the embedded API makes them: a reply mapped on the
 * node's dispatcher (on a 2-core machine the JDK's default async executor would start a thread
 * per task), and no reply within the request timeout turned into GridUnavailableException.
 *
 * Reads and writes are sent again within their request timeout when an attempt gets no answer:
 * sharding drops the requests it buffered for a partition while it hands the partition to another
 * node (a rebalance, a join, a node leaving; Pekko logs "Dropping [n] buffered messages ... during
 * hand off"), and a partition may be slow. The request is sent again at 60 % and at 80 % of the
 * timeout if no answer has come by then, and every attempt waits for its answer until the
 * timeout, so the first answer of any attempt counts: a slow answer keeps all the time it had. A
 * partition that refuses a request untried - it is recovering and holds no more, or it was handed
 * off while recovering - gets it again after a short pause (100 ms, doubling up to 1 s), while
 * time remains.
 *
 * A write is sent again as the same Write, with the same internal write id: its partition, on
 * this node or another one after a hand-off, answers an operation it has applied already with
 * that first outcome instead of applying it twice (RecentWrites). So a counter increment, a
 * compare-and-set, a delete, a patch or a batch is applied at most once however many attempts
 * its node makes. A write refused as unavailable after it was decided (its partition lost the
 * journal) is not sent again: it may or may not be in the journal, and the caller gets 503.
 */
public final class PartitionRequests {
  private static final long FIRST_PAUSE_MILLIS = 100;
  private static final long MAX_PAUSE_MILLIS = 1000;
  // An attempt shorter than this is not worth sending: give up instead.
  private static final long MIN_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final ClusterSharding sharding;
  private final Duration timeout;
  private final GridMetrics metrics;
  private final ExecutionContextExecutor executor;
  private final Scheduler scheduler;

  /**
   * @param executor where replies are mapped: the node's dispatcher
   * @param scheduler the actor system's scheduler, for the attempts after the first (cheap to set
   *     and cancel: a request that is answered in time cancels its timer)
   */
  public PartitionRequests(
      ClusterSharding sharding,
      Duration timeout,
      GridMetrics metrics,
      ExecutionContextExecutor executor,
      Scheduler scheduler) {
    this.sharding = sharding;
    this.timeout = timeout;
    this.metrics = metrics;
    this.executor = executor;
    this.scheduler = scheduler;
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
    new Attempts<>(p, message, onReply, false, result).start();
    return result;
  }

  /**
   * Asks partition {@code p} to apply {@code ops} as one Write with a fresh internal write id, sent
   * again with that id while it gets no answer, within the request timeout; see the class comment.
   */
  public <T> CompletionStage<T> askToWrite(
      int p, List<WriteOp> ops, Function<Partition.Outcomes, T> onReply) {
    long writeId = Partition.Write.newWriteId();
    CompletableFuture<T> result = new CompletableFuture<>();
    new Attempts<Partition.Outcomes, T>(
            p, replyTo -> new Partition.Write(ops, replyTo, writeId), onReply, true, result)
        .start();
    return result;
  }

  /**
   * The attempts to deliver one request, within one request timeout from now. Every attempt waits
   * for its answer until the deadline, so a later attempt never discards an earlier one's late
   * answer (on a busy machine a round trip to a partition that moved may take longer than 20 % of
   * the timeout); the first answer completes the request.
   */
  private final class Attempts<R, T> {
    private final int p;
    private final Function<ActorRef<R>, Partition.Command> message;
    private final Function<R, T> onReply;
    private final boolean write;
    private final CompletableFuture<T> result;
    private final long deadline = System.nanoTime() + timeout.toNanos();
    // The timer of the next attempt, cancelled once the request is answered.
    private volatile Cancellable next;

    Attempts(
        int p,
        Function<ActorRef<R>, Partition.Command> message,
        Function<R, T> onReply,
        boolean write,
        CompletableFuture<T> result) {
      this.p = p;
      this.message = message;
      this.onReply = onReply;
      this.write = write;
      this.result = result;
    }

    /** Sends the first attempt, and the next ones at 60 % and 80 % of the timeout if need be. */
    void start() {
      send(FIRST_PAUSE_MILLIS);
      sendAgainIn(timeout.toMillis() * 3 / 5, true);
      result.whenComplete(
          (ignored, error) -> {
            Cancellable timer = next;
            if (timer != null) {
              timer.cancel();
            }
          });
    }

    private void sendAgainIn(long millis, boolean more) {
      next =
          scheduler.scheduleOnce(
              Duration.ofMillis(millis),
              () -> {
                if (!result.isDone()) {
                  metrics.sentAgain(write);
                  send(FIRST_PAUSE_MILLIS);
                  if (more) {
                    sendAgainIn(timeout.toMillis() / 5, false);
                  }
                }
              },
              executor);
    }

    /** Sends an attempt after a pause, for one refused untried or failed before its time. */
    private void sendAfter(long pauseMillis) {
      scheduler.scheduleOnce(
          Duration.ofMillis(pauseMillis),
          () -> send(Math.min(MAX_PAUSE_MILLIS, pauseMillis * 2)),
          executor);
    }

    private void send(long pauseMillis) {
      long left = deadline - System.nanoTime();
      if (left < MIN_ATTEMPT_NANOS) {
        // Too late for another attempt; one still out may answer until the deadline.
        scheduler.scheduleOnce(Duration.ofNanos(Math.max(0, left)), this::giveUp, executor);
        return;
      }
      sharding
          .entityRefFor(Partition.TYPE_KEY, Integer.toString(p))
          .<R>ask(message::apply, Duration.ofNanos(left))
          .whenCompleteAsync(
              (reply, error) -> {
                if (result.isDone()) {
                  return;
                }
                long remaining = deadline - System.nanoTime();
                if (error == null && !refusedUntried(reply)) {
                  complete(reply);
                } else if (error == null) {
                  if (remaining > TimeUnit.MILLISECONDS.toNanos(pauseMillis) + MIN_ATTEMPT_NANOS) {
                    metrics.sentAgain(write);
                    sendAfter(pauseMillis);
                  } else {
                    // The partition's own answer: unavailable, which the caller turns into 503.
                    complete(reply);
                  }
                } else if (remaining < MIN_ATTEMPT_NANOS) {
                  // Every attempt waits until the deadline: the first to give up ends the request.
                  giveUp();
                } else {
                  // Failed before its time (no timeout): try again after a pause.
                  sendAfter(pauseMillis);
                }
              },
              executor);
    }

    private void giveUp() {
      if (result.completeExceptionally(notAnswered(p, false))) {
        metrics.unavailable(GridMetrics.Unavailable.TIMEOUT);
      }
    }

    private void complete(R reply) {
      try {
        result.complete(onReply.apply(reply));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    }
  }

  /** Whether the partition refused the request without deciding it, so it may be sent again. */
  private static boolean refusedUntried(Object reply) {
    return (reply instanceof Partition.Outcomes outcomes && outcomes.sendAgain())
        || (reply instanceof Partition.GetReply get && get.unavailable());
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
