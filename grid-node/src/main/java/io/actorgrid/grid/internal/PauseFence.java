package io.actorgrid.grid.internal;

import io.actorgrid.serialization.CborSerializable;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.RootActorPath;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Keeps a node that was paused from answering reads out of state that may be stale, and from
 * writing to partitions that may have moved.
 *
 * A node whose process stops running for a while (a long GC pause, SIGSTOP, a suspended VM) may
 * have been downed by the others meanwhile, and its partitions started and written on them. When
 * it runs again, its partitions still hold what they held before the pause, and requests that
 * waited in its sockets reach them before the node has learnt that it was removed: reads answered
 * then would return values the cluster has since overwritten (docs/reliability.md, "Stale reads
 * after a pause"). Writes that waited are no safer: their events would take sequence numbers the
 * new copy of the partition has used. PostgreSQL's and H2's unique (partition, sequence number) key
 * refuses them, but Cassandra's journal has none: it takes both writers' events, a replay keeps one
 * writer's only, and a write the resumed node acknowledged is gone (StaleWriteAfterPauseCassandraTest
 * saw 4 of 16). So writes are fenced too, on every journal.
 *
 * A daemon thread ticks every 100 ms and notes when it last ran. A gap longer than the threshold
 * means the process (or this thread) did not run for that long: a pause. Every check notes the
 * gap itself too (now minus the last tick), so a read that runs before the ticker after a pause is
 * refused as well: the fence does not depend on which thread the scheduler wakes first. After a
 * pause, reads are refused until a majority of the members this node knows (itself included)
 * have answered, to questions sent after the pause, that they see this node Up and reachable. A
 * node the others downed never gets those answers (they quarantine it or say no) and stops when
 * it learns it was downed. The others move a downed node's partitions only down-removal-margin
 * after removing it, so a confirmation sent before that cannot be followed by a write elsewhere
 * that the confirmed node's reads miss, unless the node pauses again, which the fence notices.
 *
 * Partitions check the fence (guard, an interceptor around each partition) before they answer a
 * read, wherever the read came from; the node's own requests check it first too, to say why. A
 * partition checks it before it hands a batch of writes to its journal, refusing the batch's writes
 * undecided (their nodes send them again) while the fence is up, and again when the batch is
 * written: a batch whose journal write spanned a pause is answered unavailable (written or not),
 * not acknowledged. Left open: a pause after that check and before the journal's driver sends the
 * events, on Cassandra, whose replay then keeps the events with the earlier timestamps: if the
 * paused node's clock is behind, those may be its own, and the new copy's acknowledged writes at
 * the same sequence numbers are dropped (docs/reliability.md).
 */
public final class PauseFence implements Extension {
  private static final Logger log = LoggerFactory.getLogger(PauseFence.class);
  private static final long TICK_MILLIS = 100;
  private static final Duration RETRY = Duration.ofMillis(500);
  static final String ACTOR_NAME = "actorgrid-pause-fence";

  public static final ExtensionId<PauseFence> ID =
      new ExtensionId<>() {
        @Override
        public PauseFence createExtension(ActorSystem<?> system) {
          Duration threshold = GridSettings.from(system.settings().config()).pauseFenceThreshold();
          PauseFence fence = new PauseFence(threshold.toNanos());
          if (fence.thresholdNanos > 0) {
            fence.start(system);
          }
          return fence;
        }
      };

  public static PauseFence get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final long thresholdNanos;
  private final AtomicLong pauses = new AtomicLong();
  private volatile long confirmedPauses;
  private volatile long lastTick = System.nanoTime();
  private volatile long lastPauseMillis;
  private volatile boolean stopped;
  private ActorRef<Message> confirmer;

  PauseFence(long thresholdNanos) {
    this.thresholdNanos = thresholdNanos;
  }

  private void start(ActorSystem<?> system) {
    confirmer = system.systemActorOf(confirmer(this), ACTOR_NAME, Props.empty());
    Thread ticker =
        new Thread(
            () -> {
              while (!stopped) {
                check();
                try {
                  Thread.sleep(TICK_MILLIS);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "actorgrid-pause-detector");
    ticker.setDaemon(true);
    ticker.start();
    system.getWhenTerminated().thenRun(() -> stopped = true);
  }

  /**
   * Whether this node's partitions may answer reads from their state and hand writes to their
   * journals now: it was not paused, or a majority has confirmed its membership since.
   */
  public boolean allowed() {
    if (thresholdNanos <= 0) {
      return true;
    }
    check();
    return confirmedPauses == pauses.get();
  }

  /**
   * How many pauses this node has noticed so far, a check included: a partition notes it when it
   * hands a batch to its journal and compares when the batch is written.
   */
  public long pauses() {
    if (thresholdNanos <= 0) {
      return 0;
    }
    check();
    return pauses.get();
  }

  /** Why reads are refused, for the client. */
  public String refusal() {
    return "this node did not run for "
        + String.format(java.util.Locale.ROOT, "%.1f", lastPauseMillis / 1000.0)
        + " s (a pause) and answers no reads until the cluster confirms it is still a member;"
        + " retry shortly or through another node";
  }

  private void check() {
    long now = System.nanoTime();
    if (now - lastTick <= thresholdNanos) {
      lastTick = now;
      return;
    }
    synchronized (this) {
      long gap = now - lastTick;
      if (gap <= thresholdNanos) {
        return;
      }
      lastTick = now;
      lastPauseMillis = gap / 1_000_000;
      long pause = pauses.incrementAndGet();
      log.warn(
          "This node did not run for {} ms (a pause longer than {} ms): its partitions answer no"
              + " reads until a majority of the cluster confirms it is still a member",
          lastPauseMillis,
          thresholdNanos / 1_000_000);
      if (confirmer != null) {
        confirmer.tell(new Confirm(pause));
      }
    }
  }

  private void confirmed(long pause, Set<Address> by) {
    if (pauses.get() == pause && confirmedPauses != pause) {
      confirmedPauses = pause;
      log.info("Membership confirmed after the pause by {}: serving reads again", by);
    }
  }

  /**
   * Wraps a partition so that it refuses reads while the fence is up: a Get and a Write that only
   * reads are answered unavailable, other reads (listings, counts, settings, history starts) get no
   * answer and time out as unavailable. Everything else goes through.
   */
  public static Behavior<Partition.Command> guard(Behavior<Partition.Command> partition) {
    return Behaviors.setup(
        ctx -> {
          PauseFence fence = get(ctx.getSystem());
          if (fence.thresholdNanos <= 0) {
            return partition;
          }
          return Behaviors.intercept(() -> new ReadGuard(fence), partition);
        });
  }

  private static final class ReadGuard
      extends BehaviorInterceptor<Partition.Command, Partition.Command> {
    private final PauseFence fence;

    ReadGuard(PauseFence fence) {
      super(Partition.Command.class);
      this.fence = fence;
    }

    @Override
    public Behavior<Partition.Command> aroundReceive(
        TypedActorContext<Partition.Command> ctx,
        Partition.Command msg,
        ReceiveTarget<Partition.Command> target) {
      if (!isRead(msg) || fence.allowed()) {
        return target.apply(ctx, msg);
      }
      if (msg instanceof Partition.Get get) {
        get.replyTo().tell(Partition.GetReply.UNAVAILABLE);
      } else if (msg instanceof Partition.Write write) {
        write
            .replyTo()
            .tell(
                new Partition.Outcomes(
                    java.util.Collections.nCopies(write.opCount(), WriteOutcome.UNAVAILABLE)));
      }
      return Behaviors.same();
    }

    private static boolean isRead(Partition.Command msg) {
      return msg instanceof Partition.Get
          || (msg instanceof Partition.Write write && write.readOnly())
          || msg instanceof Partition.ListEntries
          || msg instanceof Partition.GetCounts
          || msg instanceof Partition.GetConfig
          || msg instanceof Partition.GetLastEvent
          || msg instanceof Partition.GetLastSequenceNr;
    }
  }

  // The confirmation protocol: each node's confirmer asks the others' confirmers.

  /** Messages of the confirmer actor, local and between nodes. */
  public sealed interface Message extends CborSerializable {}

  private record Confirm(long pause) implements Message {}

  private record Retry(long pause) implements Message {}

  /** Asked of another node: does it see the asker as an Up, reachable member? */
  public record Query(String address, long uid, long pause, ActorRef<Message> replyTo)
      implements Message {}

  public record Answer(String from, long pause, boolean member) implements Message {}

  private static Behavior<Message> confirmer(PauseFence fence) {
    return Behaviors.withTimers(
        timers ->
            Behaviors.setup(
                ctx -> {
                  Cluster cluster = Cluster.get(ctx.getSystem());
                  var classic = Adapter.toClassic(ctx.getSystem());
                  long[] current = {0};
                  Set<Address> confirmedBy = new HashSet<>();
                  int[] needed = {1};
                  Runnable ask =
                      () -> {
                        UniqueAddress self = cluster.selfMember().uniqueAddress();
                        int voters = 1;
                        for (Member m : cluster.state().getMembers()) {
                          if (m.uniqueAddress().equals(self)) {
                            continue;
                          }
                          if (m.status() == MemberStatus.up()
                              || m.status() == MemberStatus.weaklyUp()) {
                            voters++;
                            classic
                                .actorSelection(
                                    new RootActorPath(m.address(), "/")
                                        .$div("system")
                                        .$div(ACTOR_NAME))
                                .tell(
                                    new Query(
                                        self.address().toString(),
                                        self.longUid(),
                                        current[0],
                                        ctx.getSelf()),
                                    org.apache.pekko.actor.ActorRef.noSender());
                          }
                        }
                        needed[0] = voters / 2 + 1;
                        MemberStatus own = cluster.selfMember().status();
                        // Alone and Up: nobody else can have taken its partitions. A node that is
                        // no longer Up (downed, leaving, removed: its member list then empties)
                        // never confirms itself.
                        if (needed[0] <= 1
                            && (own == MemberStatus.up() || own == MemberStatus.weaklyUp())
                            && !cluster.isTerminated()) {
                          fence.confirmed(current[0], Set.of(self.address()));
                        } else {
                          timers.startSingleTimer(new Retry(current[0]), RETRY);
                        }
                      };
                  return Behaviors.receive(Message.class)
                      .onMessage(
                          Confirm.class,
                          c -> {
                            current[0] = c.pause();
                            confirmedBy.clear();
                            ask.run();
                            return Behaviors.same();
                          })
                      .onMessage(
                          Retry.class,
                          r -> {
                            if (r.pause() == current[0] && fence.confirmedPauses != r.pause()) {
                              ask.run();
                            }
                            return Behaviors.same();
                          })
                      .onMessage(
                          Answer.class,
                          a -> {
                            if (a.pause() == current[0] && a.member()) {
                              confirmedBy.add(
                                  org.apache.pekko.actor.AddressFromURIString.parse(a.from()));
                              MemberStatus own = cluster.selfMember().status();
                              if (confirmedBy.size() + 1 >= needed[0]
                                  && (own == MemberStatus.up() || own == MemberStatus.weaklyUp())) {
                                fence.confirmed(current[0], Set.copyOf(confirmedBy));
                              }
                            }
                            return Behaviors.same();
                          })
                      .onMessage(
                          Query.class,
                          q -> {
                            q.replyTo()
                                .tell(
                                    new Answer(
                                        cluster.selfMember().address().toString(),
                                        q.pause(),
                                        seesUpAndReachable(cluster, q.address(), q.uid())));
                            return Behaviors.same();
                          })
                      .build();
                }));
  }

  /** Whether this node sees the member at {@code address} with {@code uid} Up and reachable. */
  private static boolean seesUpAndReachable(Cluster cluster, String address, long uid) {
    var state = cluster.state();
    Member self = cluster.selfMember();
    if (self.status() != MemberStatus.up() && self.status() != MemberStatus.weaklyUp()) {
      return false;
    }
    for (Member m : state.getMembers()) {
      if (m.address().toString().equals(address) && m.uniqueAddress().longUid() == uid) {
        return (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp())
            && !state.getUnreachable().contains(m);
      }
    }
    return false;
  }
}
