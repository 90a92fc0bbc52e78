package io.actorgrid.grid.internal;

import io.actorgrid.grid.Change;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;

/*
 * One consumer's change feed: a stream of Changes from a position over every partition.
 *
 * The feed keeps, for each partition, the sequence number of the last event it has delivered,
 * and walks each partition's journal strictly in sequence: from the node's ChangeHub while the
 * hub holds the next events, from the journal itself (READ_CHUNK events at a time) while it is
 * behind the hub. A partition at the hub's end waits for the hub's signal. So every event of a
 * partition is looked at exactly once, in journal order, and each change's id is the position
 * just after it: resuming there neither repeats nor skips a change.
 *
 * Demand drives it (Source.unfoldAsync): the next batch (at most MAX_EVENTS events and about
 * MAX_BYTES of values) is made only when the consumer wants more, so a slow consumer holds one
 * batch, never an unbounded buffer. Partitions with news are taken in turn, so one busy
 * partition does not starve the others.
 *
 * Retention deletes a prefix of a partition's journal, and sequence numbers are otherwise
 * gap-free, so a read whose first event is past position + 1 means changes the consumer has not
 * seen are gone: the feed fails with ChangesGoneException (at its start, before the first item,
 * when the start position is checked; later, mid-stream). A feed from the beginning accepts the
 * first event of each partition wherever the journal now starts.
 *
 * Live mode: once the feed has caught up with the hub in every partition at a position the hub
 * itself was at (ChangeRing.attach), it follows the hub's ring of units instead, in the order the
 * hub learned of events, taking each unit's shared items (ids included, rendered once for every
 * such feed) and only filtering. It leaves live mode at a jump (events the hub did not see, read
 * from the journal as above) and when it falls behind the ring.
 *
 * The first item is always a checkpoint of the start position. Later checkpoints (id only) go
 * out when filtered-out events moved the position and nothing was delivered for CHECKPOINT_EVERY,
 * and when the feed was idle for IDLE_CHECKPOINT (they double as heartbeats).
 */
final class ChangeFeed implements ChangeHub.Listener {
  private static final int MAX_EVENTS = 500;
  private static final long MAX_BYTES = 4 * 1024 * 1024;
  private static final Duration IDLE_CHECKPOINT = Duration.ofSeconds(10);
  private static final long CHECKPOINT_EVERY_NANOS = Duration.ofSeconds(1).toNanos();

  private final ChangeHub hub;
  private final JournalReader reader;
  private final GridSettings settings;
  private final Executor executor;
  private final Changes.Filter filter;
  private final boolean withValues;
  private final Supplier<CompletionStage<long[]>> start;
  private final boolean fromBeginning;
  private final boolean checkStart;
  private final int partitions;

  // Confined to the stream: unfoldAsync makes one call at a time.
  private long[] seqs;
  private int partial = -1;
  private int skip;
  private boolean[] anyStart;
  private boolean started;
  private CompletionStage<Void> prestarted;
  private int cursor;
  private String lastId;
  private long lastItemNanos;
  // In live mode, the index of the next unit of the hub's ring to take; -1 otherwise.
  private long live = -1;

  // Guarded by this: partitions to look at, and the wake-up of a waiting feed.
  private final BitSet pending = new BitSet();
  private CompletableFuture<Boolean> wake;

  /**
   * @param start the start position, resolved when the stream starts; it fails the stream with the
   *     reason when it cannot be resolved
   * @param fromBeginning whether the first event of each partition may be past its start position
   *     (the feed starts at the oldest event retained)
   * @param checkStart whether to check the start against retention (a position a consumer sent)
   */
  ChangeFeed(
      ChangeHub hub,
      GridSettings settings,
      Executor executor,
      Changes.Filter filter,
      boolean withValues,
      Supplier<CompletionStage<long[]>> start,
      boolean fromBeginning,
      boolean checkStart) {
    this.hub = hub;
    this.reader = hub.reader(settings);
    this.settings = settings;
    this.executor = executor;
    this.filter = filter;
    this.withValues = withValues;
    this.start = start;
    this.fromBeginning = fromBeginning;
    this.checkStart = checkStart;
    this.partitions = settings.partitions();
  }

  Source<Change, NotUsed> source() {
    return batches().mapConcat(batch -> batch).map(FeedItem::change);
  }

  /**
   * The feed as batches of changes, none empty: what one look at the partitions found. A consumer
   * that writes each batch at once (HTTP) saves a stream step per change.
   */
  Source<List<FeedItem>, NotUsed> batches() {
    return Source.unfoldAsync(this, ChangeFeed::step)
        .filter(batch -> !batch.isEmpty())
        .watchTermination(
            (mat, done) -> {
              done.whenComplete((ok, error) -> hub.unregister(this));
              return mat;
            });
  }

  /**
   * The next batch, for unfoldAsync. A stage derived from a failed one fails with a
   * CompletionException around the failure; the stream fails with the failure itself.
   */
  private static CompletionStage<Optional<Pair<ChangeFeed, List<FeedItem>>>> step(ChangeFeed feed) {
    CompletableFuture<Optional<Pair<ChangeFeed, List<FeedItem>>>> step = new CompletableFuture<>();
    feed.next()
        .whenComplete(
            (batch, error) -> {
              if (error != null) {
                step.completeExceptionally(cause(error));
              } else {
                step.complete(Optional.of(Pair.create(feed, batch)));
              }
            });
    return step;
  }

  /** The failure itself, not the CompletionException a stage wrapped it in. */
  static Throwable cause(Throwable error) {
    Throwable cause = error;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Resume inside an event: {@code skip} changes of partition {@code p}'s next event were seen. */
  ChangeFeed inside(int p, int skip) {
    this.partial = skip > 0 ? p : -1;
    this.skip = skip;
    return this;
  }

  @Override
  public void signal(BitSet news) {
    CompletableFuture<Boolean> woken;
    synchronized (this) {
      pending.or(news);
      woken = wake;
      wake = null;
    }
    if (woken != null) {
      woken.complete(true);
    }
  }

  /**
   * Resolves the start position and checks it against retention, before the stream runs: a caller
   * that must answer before the first item (HTTP) learns a failure here. Call at most once, before
   * {@link #source()} runs.
   */
  CompletionStage<Void> prestart() {
    prestarted = resolveStart();
    return prestarted;
  }

  private CompletionStage<Void> resolveStart() {
    return start
        .get()
        .thenComposeAsync(
            position -> {
              seqs = position;
              anyStart = new boolean[partitions];
              java.util.Arrays.fill(anyStart, fromBeginning);
              // A position from the partitions themselves (from now) needs no check.
              return checkStart
                  ? FeedRetention.check(reader, seqs, executor)
                  : CompletableFuture.completedFuture(null);
            },
            executor);
  }

  private CompletionStage<List<FeedItem>> next() {
    if (live >= 0) {
      return followRing();
    }
    if (!started) {
      started = true;
      return (prestarted != null ? prestarted : resolveStart())
          .thenApplyAsync(
              ignored -> {
                synchronized (this) {
                  pending.set(0, partitions);
                }
                hub.register(this, settings);
                return List.of(checkpoint());
              },
              executor);
    }
    List<FeedItem> out = new ArrayList<>();
    long[] budget = {MAX_EVENTS, MAX_BYTES};
    int toRead = -1;
    for (int p : takePending()) {
      // A partition inside an event goes first and alone: an id can only say that of one.
      if (budget[0] <= 0 || budget[1] <= 0 || (partial >= 0 && p != partial)) {
        markPending(p);
        continue;
      }
      ChangeHub.Lookup lookup = hub.after(p, seqs[p], (int) budget[0]);
      switch (lookup.kind()) {
        case EVENTS -> {
          deliver(p, lookup.events(), out, budget);
          markPending(p);
        }
        case READ -> {
          if (toRead < 0) {
            toRead = p;
          } else {
            markPending(p);
          }
        }
        case WAIT -> {
          if (p == partial) {
            // The hub is behind an event this feed has half delivered: the journal has it.
            toRead = toRead < 0 ? p : toRead;
          }
        }
      }
    }
    if (toRead >= 0) {
      int p = toRead;
      long from = seqs[p] + 1;
      return reader
          .read(p, from, Long.MAX_VALUE, ChangeHub.READ_CHUNK)
          .handle(
              (events, error) -> {
                if (error != null) {
                  // The journal is busy or away: look again shortly, the feed goes on.
                  markPending(p);
                  return null;
                }
                return events;
              })
          .thenComposeAsync(
              events ->
                  events != null
                      ? CompletableFuture.completedFuture(events)
                      : CompletableFuture.supplyAsync(
                          () -> (List<JournalReader.StoredEvent>) null,
                          CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS, executor)),
              executor)
          .thenApplyAsync(
              events -> {
                if (events == null) {
                  return finish(out); // the read failed: nothing learned, p looks again
                }
                if (!events.isEmpty() && events.get(0).sequenceNr() > from && !anyStart[p]) {
                  throw FeedRetention.gone(p, from, events.get(0).sequenceNr());
                }
                if (events.isEmpty() && p == partial) {
                  // An id inside an event the journal does not hold (forged, or from another
                  // grid): go on after the event's predecessor rather than read for it forever.
                  partial = -1;
                  skip = 0;
                }
                deliver(p, events, out, new long[] {Long.MAX_VALUE, Long.MAX_VALUE});
                if (events.size() < ChangeHub.READ_CHUNK) {
                  hub.caughtUp(p, seqs[p]);
                }
                markPending(p);
                return finish(out);
              },
              executor);
    }
    if (!out.isEmpty() || hasPending()) {
      return CompletableFuture.completedFuture(finish(out));
    }
    // At the hub's end of every partition: follow the hub's ring from here if this position is
    // one the hub was at lately.
    if (partial < 0) {
      long index = hub.ring().attach(seqs);
      if (index >= 0) {
        live = index;
        return followRing();
      }
    }
    return await();
  }

  /**
   * Not async: the next look runs on the stream, and one more hand-over per change and subscriber
   * is what a feed's cost is made of.
   */
  private CompletionStage<List<FeedItem>> await() {
    return awaitNews().thenApply(woken -> woken ? List.<FeedItem>of() : List.of(checkpoint()));
  }

  /**
   * Live mode: the feed's position is the hub's after unit {@code live - 1} of the hub's ring, so
   * each later unit moves it exactly as it moved the hub's, and the unit's shared items (ids
   * included) are this feed's. Leaves live mode at a jump (the hub skipped events this feed must
   * read from the journal) and when the ring no longer holds its next unit (a slow consumer).
   */
  private CompletionStage<List<FeedItem>> followRing() {
    synchronized (this) {
      pending.clear(); // news is looked for in the ring; a signal after this wakes the wait below
    }
    List<ChangeRing.Unit> units = hub.ring().from(live, MAX_EVENTS);
    if (units == null) {
      leaveRing();
      return CompletableFuture.completedFuture(List.of());
    }
    if (units.isEmpty()) {
      return await();
    }
    List<FeedItem> out = new ArrayList<>();
    long bytes = 0;
    for (ChangeRing.Unit unit : units) {
      if (unit.isJump() || unit.ids == null) {
        // A jump; or (never expected: a feed joins only where the hub knew every partition) a
        // unit without ids.
        leaveRing();
        break;
      }
      FeedItem[] items = unit.items(withValues);
      for (int i = 0; i < items.length; i++) {
        Changes.Draft draft = unit.drafts.get(i);
        if (filter.accepts(draft)) {
          out.add(items[i]);
          bytes += draft.value() == null || !withValues ? 64 : draft.value().length;
        }
      }
      seqs[unit.partition] = unit.end;
      live++;
      if (bytes >= MAX_BYTES) {
        break;
      }
    }
    return CompletableFuture.completedFuture(finish(out));
  }

  /** Back to looking at each partition for itself, all of them, from the feed's position. */
  private void leaveRing() {
    live = -1;
    synchronized (this) {
      pending.set(0, partitions);
    }
  }

  /** The changes of {@code events} (partition {@code p}, in sequence, after its position). */
  private void deliver(
      int p, List<JournalReader.StoredEvent> events, List<FeedItem> out, long[] budget) {
    for (JournalReader.StoredEvent stored : events) {
      if (stored.sequenceNr() <= seqs[p]) {
        continue; // already delivered (a read that overlaps the hub's events)
      }
      if (stored.sequenceNr() != seqs[p] + 1 && !anyStart[p]) {
        return; // never skip: the rest comes with the next look
      }
      anyStart[p] = false;
      List<Changes.Draft> drafts = Changes.of(stored);
      int first = p == partial ? skip : 0;
      for (int i = first; i < drafts.size(); i++) {
        Changes.Draft draft = drafts.get(i);
        if (!filter.accepts(draft)) {
          continue;
        }
        boolean last = i == drafts.size() - 1;
        String id =
            last
                ? idWith(p, stored.sequenceNr(), -1, 0)
                : idWith(p, stored.sequenceNr() - 1, p, i + 1);
        out.add(new FeedItem(draft.withId(id, withValues)));
        budget[1] -= draft.value() == null || !withValues ? 64 : draft.value().length;
      }
      seqs[p] = stored.sequenceNr();
      if (p == partial) {
        partial = -1;
        skip = 0;
      }
      budget[0]--;
      if (budget[0] <= 0 || budget[1] <= 0) {
        return;
      }
    }
  }

  private String idWith(int p, long seq, int partialPartition, int skipped) {
    long saved = seqs[p];
    seqs[p] = seq;
    // Another partition may be inside an event only until that event is delivered; by then this
    // one is, so at most one partition is ever inside an event.
    int otherPartial = partial >= 0 && partial != p ? partial : -1;
    String id =
        partialPartition >= 0
            ? ChangePosition.encode(seqs, partialPartition, skipped)
            : ChangePosition.encode(seqs, otherPartial, otherPartial >= 0 ? skip : 0);
    seqs[p] = saved;
    return id;
  }

  /** The batch, with a checkpoint when filtered events moved the position a while ago. */
  private List<FeedItem> finish(List<FeedItem> out) {
    long now = System.nanoTime();
    if (!out.isEmpty()) {
      lastId = out.get(out.size() - 1).change().id();
      lastItemNanos = now;
      return out;
    }
    if (now - lastItemNanos >= CHECKPOINT_EVERY_NANOS) {
      String id = ChangePosition.encode(seqs, partial, skip);
      if (!id.equals(lastId)) {
        return List.of(checkpoint());
      }
    }
    return out;
  }

  private FeedItem checkpoint() {
    lastId = ChangePosition.encode(seqs, partial, skip);
    lastItemNanos = System.nanoTime();
    return new FeedItem(Change.checkpoint(lastId));
  }

  private synchronized int[] takePending() {
    int count = pending.cardinality();
    int[] out = new int[count];
    int i = 0;
    // Round robin: start after the partition that went first last time.
    for (int p = pending.nextSetBit(cursor); p >= 0; p = pending.nextSetBit(p + 1)) {
      out[i++] = p;
    }
    for (int p = pending.nextSetBit(0); p >= 0 && p < cursor; p = pending.nextSetBit(p + 1)) {
      out[i++] = p;
    }
    pending.clear();
    cursor = count == 0 ? cursor : (out[0] + 1) % partitions;
    return out;
  }

  private synchronized void markPending(int p) {
    pending.set(p);
  }

  private synchronized boolean hasPending() {
    return !pending.isEmpty();
  }

  /** Completes with true on news, false after IDLE_CHECKPOINT without. */
  private CompletableFuture<Boolean> awaitNews() {
    CompletableFuture<Boolean> woken = new CompletableFuture<>();
    synchronized (this) {
      if (!pending.isEmpty()) {
        return CompletableFuture.completedFuture(true);
      }
      wake = woken;
    }
    return woken.completeOnTimeout(false, IDLE_CHECKPOINT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
