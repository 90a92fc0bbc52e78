package io.actorgrid.grid.internal;

import io.actorgrid.serialization.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The node's shared tail of every partition's journal, for the change feeds running on this node
 * (ChangeFeed): however many feeds there are, the node reads each partition's new events once.
 *
 * For each partition the hub keeps its most recent events (up to BUFFER_EVENTS and BUFFER_BYTES),
 * contiguous by sequence number and ending at `end`, the last event the hub knows of. A feed at
 * or past `end` waits; one inside the buffer takes events from it; one behind the buffer (or in a
 * partition whose end the hub does not know yet) reads the journal itself until it catches up,
 * then tells the hub where the journal ended (caughtUp), which gives the hub its start.
 *
 * New events reach the hub three ways:
 *   - Pushes: a partition publishes each batch's events, after they were persisted, on a
 *     cluster-wide Topic (Partition calls publish); the hub subscribes only while a feed runs on
 *     this node, and a partition publishes only while some node's hub subscribes (the topic's
 *     stats, asked every STATS_INTERVAL: without a subscriber a push would be a dead letter). A
 *     batch whose values exceed MAX_PUSH_BYTES is announced without its events.
 *   - Reads: a push that does not continue the buffer (a gap: a lost push, a push announced
 *     without events) makes the hub read the journal from `end` on, one read per partition at a
 *     time, in chunks of READ_CHUNK.
 *   - Polls: every POLL, each partition whose end the hub knows and that brought no news for a
 *     POLL is read from `end` on, which covers pushes lost with a crashed node or sent before this
 *     node's subscription reached the writer's node.
 * Only events the journal holds are ever pushed (publishing follows a successful persist), and
 * the journal is the truth the buffer is checked against: events are appended only in sequence.
 *
 * Feeds are Listeners: the hub tells them which partitions advanced, LINGER_MILLIS after the first
 * news, so a wake-up covers many batches; they look for themselves. Every event appended to a tail,
 * and every other move of a tail's end, also goes to the hub's ChangeRing, which feeds that have
 * caught up follow (ChangeFeed's live mode).
 */
public final class ChangeHub implements Extension {
  private static final Logger log = LoggerFactory.getLogger(ChangeHub.class);

  /** Events of a partition's journal, {@code firstSequenceNr} to {@code lastSequenceNr}. */
  public record Pushed(
      int partition, long firstSequenceNr, long lastSequenceNr, List<PartitionEvent> events)
      implements CborSerializable {}

  /** A feed that waits for news of partitions. */
  interface Listener {
    /**
     * The partitions in {@code news} have events after their former ends; called on any thread,
     * keep it short, and do not keep or change the set.
     */
    void signal(BitSet news);
  }

  /** What the hub can tell a feed about a partition. */
  enum Kind {
    /** The feed is at the hub's end: wait for a signal. */
    WAIT,
    /** The hub holds the next events. */
    EVENTS,
    /** The hub does not hold the next event: read the journal. */
    READ
  }

  record Lookup(Kind kind, List<JournalReader.StoredEvent> events) {
    static final Lookup WAIT = new Lookup(Kind.WAIT, List.of());
    static final Lookup READ = new Lookup(Kind.READ, List.of());
  }

  /** Largest sum of values pushed with their events; a larger batch is only announced. */
  static final long MAX_PUSH_BYTES = 64 * 1024;

  /** Events per journal read, of the hub and of feeds catching up. */
  static final int READ_CHUNK = 500;

  private static final int BUFFER_EVENTS = 512;
  private static final long BUFFER_BYTES = 512 * 1024;
  private static final Duration POLL = Duration.ofSeconds(2);

  /**
   * How often the hub asks the topic whether any node subscribes. A push skipped because a new
   * subscription was not known yet is read from the journal by that node's hub, as a lost push.
   */
  private static final Duration STATS_INTERVAL = Duration.ofSeconds(1);

  /**
   * How long news waits to be told to the feeds, so that one wake-up of a feed covers the events of
   * many partition batches: under load a feed looks LINGER_MILLIS apart (one stream step, one
   * socket write) rather than once per batch, at the price of that much latency.
   */
  static final long LINGER_MILLIS = 10;

  static final String TOPIC = "actorgrid-changes";

  public static final ExtensionId<ChangeHub> ID =
      new ExtensionId<>() {
        @Override
        public ChangeHub createExtension(ActorSystem<?> system) {
          return new ChangeHub(system);
        }
      };

  public static ChangeHub get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final ActorSystem<?> system;
  private final ActorRef<Topic.Command<Pushed>> topic;
  private final ActorRef<Pushed> receiver;
  private final Tail[] tails;
  private final ChangeRing ring;
  private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
  // Whether some node's hub (this one's included) subscribes to the topic, as last known.
  private volatile boolean subscribed;
  // Guarded by this: the reader is made with the first feed (a node's tests may run without a
  // read journal), the subscription and poll run while there are feeds.
  private JournalReader reader;
  private Cancellable poll;
  // Guarded by news: partitions with news not yet told to the feeds, and whether a telling is due.
  private final BitSet news = new BitSet();
  private boolean telling;
  private final java.util.concurrent.Executor tell;

  private ChangeHub(ActorSystem<?> system) {
    this.system = system;
    int partitions = system.settings().config().getInt("actorgrid.partitions");
    this.tails = new Tail[partitions];
    this.ring = new ChangeRing(partitions);
    for (int p = 0; p < partitions; p++) {
      tails[p] = new Tail(p, ring);
    }
    this.tell =
        java.util.concurrent.CompletableFuture.delayedExecutor(
            LINGER_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS, system.executionContext());
    this.topic =
        system.systemActorOf(Topic.create(Pushed.class, TOPIC), "change-topic", Props.empty());
    this.receiver =
        system.systemActorOf(
            Behaviors.receiveMessage(
                (Pushed pushed) -> {
                  onPushed(pushed);
                  return Behaviors.same();
                }),
            "change-hub",
            Props.empty());
    ActorRef<Topic.TopicStats> stats =
        system.systemActorOf(
            Behaviors.receiveMessage(
                (Topic.TopicStats s) -> {
                  subscribed = s.topicInstanceCount() > 0 || !listeners.isEmpty();
                  return Behaviors.same();
                }),
            "change-topic-stats",
            Props.empty());
    system
        .scheduler()
        .scheduleAtFixedRate(
            Duration.ZERO,
            STATS_INTERVAL,
            () -> topic.tell(Topic.getTopicStats(stats)),
            system.executionContext());
  }

  /** Whether partitions publish their events: some node's hub subscribes, as far as this knows. */
  boolean publishing() {
    return subscribed;
  }

  /**
   * Publishes the events a partition has just persisted, {@code firstSequenceNr} on, to the hubs of
   * every node that runs a feed. Call only once the journal holds them.
   */
  public void publish(int partition, long firstSequenceNr, List<PartitionEvent> events) {
    if (!subscribed) {
      return;
    }
    long bytes = 0;
    for (PartitionEvent event : events) {
      bytes += weightOf(event);
    }
    long last = firstSequenceNr + events.size() - 1;
    topic.tell(
        Topic.publish(
            new Pushed(
                partition,
                firstSequenceNr,
                last,
                bytes <= MAX_PUSH_BYTES ? List.copyOf(events) : null)));
  }

  /** The node's reader of partition journals, made on first use; history reads through it too. */
  public synchronized JournalReader reader(GridSettings settings) {
    if (reader == null) {
      reader = JournalReader.create(system, settings);
    }
    return reader;
  }

  void register(Listener listener, GridSettings settings) {
    synchronized (this) {
      reader(settings);
      if (listeners.isEmpty()) {
        topic.tell(Topic.subscribe(receiver));
        subscribed = true;
        poll =
            system
                .scheduler()
                .scheduleAtFixedRate(POLL, POLL, this::pollQuiet, system.executionContext());
      }
      listeners.add(listener);
    }
  }

  void unregister(Listener listener) {
    synchronized (this) {
      if (!listeners.remove(listener) || !listeners.isEmpty()) {
        return;
      }
      topic.tell(Topic.unsubscribe(receiver));
      poll.cancel();
      // Without a subscription the buffers would go stale; the next feed starts them again.
      // The ring first: an event appended in between leaves the ring knowing an end the tail has
      // forgotten, which the tail's next restart (a jump) corrects.
      ring.reset();
      for (Tail tail : tails) {
        synchronized (tail) {
          tail.reset();
        }
      }
    }
  }

  /** The order in which the hub learned of events, for feeds that follow it live. */
  ChangeRing ring() {
    return ring;
  }

  /** The events after {@code position} in partition {@code p} (at most {@code max}). */
  Lookup after(int p, long position, int max) {
    Tail tail = tails[p];
    boolean read;
    boolean moved = false;
    Lookup lookup;
    synchronized (tail) {
      if (tail.end < 0) {
        return Lookup.READ;
      }
      if (position >= tail.end) {
        if (position > tail.end) {
          // The feed read past the hub in the journal: the hub continues from there.
          tail.restartAt(position);
          moved = true;
        }
        read = tail.announced > tail.end;
        lookup = Lookup.WAIT;
      } else if (position + 1 < tail.start()) {
        return Lookup.READ;
      } else {
        int from = (int) (position + 1 - tail.start());
        int count = Math.min(max, tail.size - from);
        List<JournalReader.StoredEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          events.add(tail.get(from + i));
        }
        return new Lookup(Kind.EVENTS, events);
      }
    }
    if (moved) {
      // Feeds waiting at the former end would wait for the next event: the events up to the new
      // end are in the journal, not the hub, so they must look (and read) now.
      signal(p);
    }
    if (read) {
      read(p);
    }
    return lookup;
  }

  /** A feed read partition {@code p}'s journal up to its end, at {@code sequenceNr}. */
  void caughtUp(int p, long sequenceNr) {
    Tail tail = tails[p];
    boolean read;
    boolean moved = false;
    synchronized (tail) {
      if (tail.end < sequenceNr) {
        moved = tail.end >= 0; // from an unknown end nobody waits
        tail.restartAt(sequenceNr);
      }
      read = tail.announced > tail.end;
    }
    if (moved) {
      signal(p); // as in after(): feeds at the former end must look now
    }
    if (read) {
      read(p);
    }
  }

  private void onPushed(Pushed pushed) {
    int p = pushed.partition();
    if (p < 0 || p >= tails.length) {
      return;
    }
    Tail tail = tails[p];
    boolean advanced = false;
    boolean read = false;
    synchronized (tail) {
      tail.announced = Math.max(tail.announced, pushed.lastSequenceNr());
      tail.news = System.nanoTime();
      if (pushed.events() != null && (tail.end < 0 || pushed.firstSequenceNr() > tail.end + 1)) {
        // The first news of this partition, or a gap (a lost push): the push starts the buffer
        // anew, and feeds behind it read the gap from the journal themselves.
        tail.restartAt(pushed.firstSequenceNr() - 1);
      }
      if (pushed.events() != null && pushed.firstSequenceNr() <= tail.end + 1) {
        long seq = pushed.firstSequenceNr();
        for (PartitionEvent event : pushed.events()) {
          if (seq > tail.end) {
            tail.append(new JournalReader.StoredEvent(seq, event));
            advanced = true;
          }
          seq++;
        }
      }
      read = tail.end >= 0 && tail.announced > tail.end;
    }
    if (advanced) {
      signal(p);
    }
    if (read) {
      read(p);
    }
  }

  /** Reads partition {@code p}'s journal after the hub's end, unless a read is in flight. */
  private void read(int p) {
    Tail tail = tails[p];
    long from;
    synchronized (tail) {
      if (tail.reading || tail.end < 0 || reader == null) {
        return;
      }
      tail.reading = true;
      from = tail.end + 1;
    }
    reader
        .read(p, from, Long.MAX_VALUE, READ_CHUNK)
        .whenCompleteAsync(
            (events, error) -> {
              boolean advanced = false;
              boolean again;
              synchronized (tail) {
                tail.reading = false;
                if (error != null) {
                  log.debug("Reading partition {} from {} failed: {}", p, from, error.toString());
                  return;
                }
                tail.news = System.nanoTime();
                if (tail.end >= 0 && !events.isEmpty()) {
                  if (events.get(0).sequenceNr() > tail.end + 1) {
                    // Events after the hub's end were deleted; what follows is all there is.
                    tail.restartAt(events.get(0).sequenceNr() - 1);
                  }
                  for (JournalReader.StoredEvent e : events) {
                    if (e.sequenceNr() == tail.end + 1) {
                      tail.append(e);
                      advanced = true;
                    }
                  }
                }
                again =
                    tail.end >= 0
                        && (events.size() == READ_CHUNK || tail.announced > tail.end)
                        && advanced;
              }
              if (advanced) {
                signal(p);
              }
              if (again) {
                read(p);
              }
            },
            system.executionContext());
  }

  private void pollQuiet() {
    long now = System.nanoTime();
    for (int p = 0; p < tails.length; p++) {
      Tail tail = tails[p];
      boolean due;
      synchronized (tail) {
        due = tail.end >= 0 && now - tail.news >= POLL.toNanos() - POLL.toNanos() / 10;
      }
      if (due) {
        read(p);
      }
    }
  }

  /** Tells the feeds of partition {@code p}'s news, together with others' within LINGER_MILLIS. */
  private void signal(int p) {
    synchronized (news) {
      news.set(p);
      if (telling) {
        return;
      }
      telling = true;
    }
    tell.execute(this::tellNews);
  }

  private void tellNews() {
    BitSet told;
    synchronized (news) {
      told = (BitSet) news.clone();
      news.clear();
      telling = false;
    }
    for (Listener listener : listeners) {
      listener.signal(told);
    }
  }

  static long weightOf(PartitionEvent event) {
    return event instanceof PartitionEvent.EntryPut put ? 64L + put.value().length : 64L;
  }

  /**
   * One partition's tail, guarded by itself: a ring of the latest events, in sequence, so that a
   * feed finds its next event by index however many feeds look.
   */
  private static final class Tail {
    final int partition;
    // Every append and every other move of the end is told to the hub's ring, in order.
    final ChangeRing order;
    final JournalReader.StoredEvent[] ring = new JournalReader.StoredEvent[BUFFER_EVENTS];
    int head;
    int size;
    long bytes;
    // The last event the hub knows; -1: unknown (no feed caught up, no push seen).
    long end = -1;
    // The highest sequence number a push announced.
    long announced;
    boolean reading;
    // System.nanoTime() of the last push or read.
    long news = System.nanoTime();

    Tail(int partition, ChangeRing order) {
      this.partition = partition;
      this.order = order;
    }

    long start() {
      return size == 0 ? end + 1 : ring[head].sequenceNr();
    }

    JournalReader.StoredEvent get(int i) {
      return ring[(head + i) % ring.length];
    }

    void restartAt(long sequenceNr) {
      java.util.Arrays.fill(ring, null);
      head = 0;
      size = 0;
      bytes = 0;
      end = sequenceNr;
      if (sequenceNr >= 0) {
        order.jump(partition, sequenceNr);
      }
    }

    void append(JournalReader.StoredEvent e) {
      if (size == ring.length) {
        dropFirst();
      }
      ring[(head + size) % ring.length] = e;
      size++;
      bytes += weightOf(e.event());
      end = e.sequenceNr();
      order.append(partition, e);
      while (size > 1 && bytes > BUFFER_BYTES) {
        dropFirst();
      }
    }

    private void dropFirst() {
      bytes -= weightOf(ring[head].event());
      ring[head] = null;
      head = (head + 1) % ring.length;
      size--;
    }

    void reset() {
      restartAt(-1);
      announced = 0;
    }
  }
}
