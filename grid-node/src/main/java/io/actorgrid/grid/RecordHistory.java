package io.actorgrid.grid;

import io.actorgrid.grid.internal.HistoryWalk;
import io.actorgrid.grid.internal.Partition;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;

/*
 * The history of records and reads of their past, for GridMap: the record's partition says where
 * its history starts (its last event), and the walk follows the journal from there on this node.
 */
final class RecordHistory {
  private static final String CURSOR_PREFIX = "h1.";

  private final Grid grid;
  private final String map;

  RecordHistory(Grid grid, String map) {
    this.grid = grid;
    this.map = map;
  }

  CompletionStage<Optional<History>> history(int partition, String key, HistoryQuery query) {
    if (query.limit() < 1 || query.limit() > HistoryQuery.MAX_LIMIT) {
      throw new InvalidRequestException(
          "limit is " + query.limit() + "; it must be 1 to " + HistoryQuery.MAX_LIMIT);
    }
    CompletionStage<Long> start =
        query.cursor() == null
            ? lastEvent(partition, key)
            : CompletableFuture.completedFuture(decodeCursor(query.cursor()));
    return start.thenCompose(
        from -> {
          if (from == 0) {
            return CompletableFuture.completedFuture(Optional.<History>empty());
          }
          return grid.historyWalk()
              .walk(partition, map, key, from, query.limit())
              .thenApply(
                  walked ->
                      Optional.of(
                          new History(
                              map,
                              key,
                              walked.steps().stream()
                                  .map(step -> item(step, query.withValues()))
                                  .toList(),
                              walked.next() == 0 ? null : encodeCursor(walked.next()),
                              walked.truncated())));
        });
  }

  CompletionStage<Optional<HistoryItem>> atVersion(int partition, String key, long version) {
    if (version < 1) {
      throw new InvalidRequestException("version is " + version + "; versions start at 1");
    }
    return grid.historyWalk()
        .at(partition, map, key, version)
        .thenApply(step -> step.map(s -> item(s, true)));
  }

  CompletionStage<Optional<HistoryItem>> asOf(int partition, String key, Instant instant) {
    return lastEvent(partition, key)
        .thenCompose(
            from -> grid.historyWalk().asOf(partition, map, key, from, instant.toEpochMilli()))
        .thenApply(step -> step.map(s -> item(s, true)));
  }

  private CompletionStage<Long> lastEvent(int partition, String key) {
    return grid.askToRead(
        partition,
        (ActorRef<Partition.LastEvent> replyTo) -> new Partition.GetLastEvent(map, key, replyTo),
        Partition.LastEvent::sequenceNr);
  }

  private static HistoryItem item(HistoryWalk.Step step, boolean withValue) {
    return new HistoryItem(
        step.version(),
        step.op(),
        Instant.ofEpochMilli(step.time()),
        step.contentType(),
        withValue ? step.value() : null,
        step.expiresAt() == 0 ? null : Instant.ofEpochMilli(step.expiresAt()),
        step.by());
  }

  private static String encodeCursor(long next) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((CURSOR_PREFIX + next).getBytes(StandardCharsets.UTF_8));
  }

  private static long decodeCursor(String cursor) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (text.startsWith(CURSOR_PREFIX)) {
        long next = Long.parseLong(text.substring(CURSOR_PREFIX.length()));
        if (next > 0) {
          return next;
        }
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new InvalidRequestException(
        "cursor '" + cursor + "' is not one this history gave; pass a page's cursor unchanged");
  }
}
