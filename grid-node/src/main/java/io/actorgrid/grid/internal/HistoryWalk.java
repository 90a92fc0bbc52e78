package io.actorgrid.grid.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/*
 * Walks the history of one record backwards through its partition's journal, following each event's
 * link to the record's previous event (PartitionEvent.RecordEvent#link, MapCleared#linkOf): one
 * journal read per change, so a page costs its length, not the partition's size.
 *
 * A record written many times in a row (a counter, a hot key) has events close together in the
 * journal: after a short hop the walk reads a window of events below the next one at once, and
 * takes the record's later changes from it without reading again.
 *
 * A link to an event the journal no longer has (history retention deleted it) ends the walk as
 * truncated.
 */
public final class HistoryWalk {
  /** Hops of at most this many events are dense: the walk then reads ahead in windows. */
  private static final long DENSE_HOP = 4;

  /** Most events one read-ahead window reads. */
  private static final int MAX_WINDOW = 32;

  /**
   * One change of the record.
   *
   * @param op put, patch, increment, delete, expire or clear
   * @param contentType null unless the change left a value
   * @param value the value left, or null
   * @param expiresAt epoch milliseconds, 0: never
   * @param link the record's previous event, 0: none
   * @param by the name of who made the change, null when unknown (or an expiry)
   */
  public record Step(
      long version,
      String op,
      long time,
      String contentType,
      byte[] value,
      long expiresAt,
      long link,
      String by) {}

  /**
   * @param next the event where an older page would start, 0 at the end
   * @param truncated whether the walk ended at an event that is no longer in the journal
   */
  public record Walked(List<Step> steps, long next, boolean truncated) {}

  private final JournalReader reader;
  private final Executor executor;

  public HistoryWalk(JournalReader reader, Executor executor) {
    this.reader = reader;
    this.executor = executor;
  }

  /** The reader the walk reads through. */
  public JournalReader reader() {
    return reader;
  }

  /**
   * Up to {@code limit} changes of the record, newest first, starting at its event {@code from}
   * (its last event, or a page's {@code next}).
   */
  public CompletionStage<Walked> walk(int partition, String map, String key, long from, int limit) {
    CompletableFuture<Walked> result = new CompletableFuture<>();
    new Walk(partition, map, key, from, limit, result).advance();
    return result;
  }

  /** The change that {@code version} made to the record, or empty when it made none. */
  public CompletionStage<Optional<Step>> at(int partition, String map, String key, long version) {
    return reader
        .read(partition, version, version, 1)
        .thenApplyAsync(
            events ->
                events.isEmpty()
                    ? Optional.empty()
                    : Optional.ofNullable(step(events.get(0), map, key)),
            executor);
  }

  /**
   * The record's last change at or before {@code epochMillis}, walking back from its event {@code
   * from}; empty when it had none then (or history retention removed it).
   */
  public CompletionStage<Optional<Step>> asOf(
      int partition, String map, String key, long from, long epochMillis) {
    if (from == 0) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return walk(partition, map, key, from, 100)
        .thenComposeAsync(
            walked -> {
              for (Step step : walked.steps()) {
                if (step.time() <= epochMillis) {
                  return CompletableFuture.completedFuture(Optional.of(step));
                }
              }
              return asOf(partition, map, key, walked.next(), epochMillis);
            },
            executor);
  }

  /** The event as a change of the record, or null when it is not one. */
  static Step step(JournalReader.StoredEvent stored, String map, String key) {
    PartitionEvent event = stored.event();
    long version = stored.sequenceNr();
    if (!event.map().equals(map)) {
      return null;
    }
    if (event instanceof PartitionEvent.EntryPut put && put.key().equals(key)) {
      return new Step(
          version,
          put.operation() == null ? "put" : put.operation(),
          put.timestamp(),
          put.contentType(),
          put.value(),
          put.expiresAt(),
          put.link(),
          put.principal());
    }
    if (event instanceof PartitionEvent.EntryDeleted deleted && deleted.key().equals(key)) {
      return new Step(
          version,
          "delete",
          deleted.timestamp(),
          null,
          null,
          0,
          deleted.link(),
          deleted.principal());
    }
    if (event instanceof PartitionEvent.EntryExpired expired && expired.key().equals(key)) {
      return new Step(version, "expire", expired.timestamp(), null, null, 0, expired.link(), null);
    }
    if (event instanceof PartitionEvent.MapCleared cleared) {
      if (cleared.keys() == null) {
        // Written before clears named their keys: the walk only reaches one through a removal
        // link, so it removed this record; what came before is not linked.
        return new Step(
            version, "clear", cleared.timestamp(), null, null, 0, 0, cleared.principal());
      }
      long link = cleared.linkOf(key);
      return link < 0
          ? null
          : new Step(
              version, "clear", cleared.timestamp(), null, null, 0, link, cleared.principal());
    }
    return null;
  }

  /** One walk: the events read ahead, and the changes found so far. */
  private final class Walk {
    final int partition;
    final String map;
    final String key;
    final int limit;
    final CompletableFuture<Walked> result;
    final List<Step> steps = new ArrayList<>();
    Map<Long, JournalReader.StoredEvent> window = new HashMap<>();
    // The sequence numbers the window covers (read, whether the journal still had them or not).
    long windowFrom = 1;
    long windowTo = 0;
    long next;
    int windowSize = 1;

    Walk(int partition, String map, String key, long from, int limit, CompletableFuture<Walked> r) {
      this.partition = partition;
      this.map = map;
      this.key = key;
      this.next = from;
      this.limit = limit;
      this.result = r;
    }

    void advance() {
      try {
        while (steps.size() < limit && next > 0) {
          JournalReader.StoredEvent event = window.get(next);
          if (event == null) {
            if (next >= windowFrom && next <= windowTo) {
              // Read and not there: the journal no longer has it.
              result.complete(new Walked(steps, 0, true));
              return;
            }
            readWindow();
            return;
          }
          Step step = step(event, map, key);
          if (step == null) {
            throw new IllegalStateException(
                "event "
                    + next
                    + " of partition "
                    + partition
                    + " is not a change of key '"
                    + key
                    + "' of map '"
                    + map
                    + "', though the record's history links to it");
          }
          steps.add(step);
          long hop = next - step.link();
          next = step.link();
          windowSize =
              hop <= DENSE_HOP ? (int) Math.min(MAX_WINDOW, hop * (limit - steps.size()) + 1) : 1;
        }
        result.complete(new Walked(steps, next, false));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    }

    private void readWindow() {
      long to = next;
      long from = Math.max(1, to - windowSize + 1);
      reader
          .read(partition, from, to, windowSize)
          .whenCompleteAsync(
              (events, error) -> {
                if (error != null) {
                  result.completeExceptionally(error);
                  return;
                }
                window = new HashMap<>();
                for (JournalReader.StoredEvent e : events) {
                  window.put(e.sequenceNr(), e);
                }
                windowFrom = from;
                windowTo = to;
                advance();
              },
              executor);
    }
  }
}
