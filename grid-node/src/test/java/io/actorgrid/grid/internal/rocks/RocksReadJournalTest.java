package io.actorgrid.grid.internal.rocks;

import static io.actorgrid.grid.internal.rocks.RocksTesting.TIMEOUT;
import static io.actorgrid.grid.internal.rocks.RocksTesting.atomic;
import static io.actorgrid.grid.internal.rocks.RocksTesting.current;
import static io.actorgrid.grid.internal.rocks.RocksTesting.deleteTo;
import static io.actorgrid.grid.internal.rocks.RocksTesting.range;
import static io.actorgrid.grid.internal.rocks.RocksTesting.readJournal;
import static io.actorgrid.grid.internal.rocks.RocksTesting.repr;
import static io.actorgrid.grid.internal.rocks.RocksTesting.send;
import static io.actorgrid.grid.internal.rocks.RocksTesting.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read journal's current and live queries by persistence id, against a real RocksDB: ranges,
 * deleted prefixes (no query gets stuck at a gap), bounds of Long.MAX_VALUE, and live queries that
 * see new events.
 *
 * <p>The refresh interval is set to an hour: a live query in these tests can only see new events
 * through the writer's notification, which is what they check. (The shipped 3 s would let a broken
 * notification pass as a slow poll.)
 */
class RocksReadJournalTest {
  @TempDir static Path dir;
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = RocksTesting.system(dir, "actorgrid-rocksdb.refresh-interval = 1h");
  }

  @AfterAll
  static void stop() throws Exception {
    RocksTesting.terminate(system);
  }

  private static String pid(TestInfo info) {
    return "query-" + info.getTestMethod().orElseThrow().getName();
  }

  /** Runs a live query until it has emitted n events. */
  private static CompletableFuture<List<EventEnvelope>> live(
      String pid, long from, long to, int n) {
    return readJournal(system)
        .eventsByPersistenceId(pid, from, to)
        .take(n)
        .runWith(Sink.seq(), system)
        .toCompletableFuture();
  }

  private static List<Long> sequenceNrs(CompletableFuture<List<EventEnvelope>> events)
      throws Exception {
    return events.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).stream()
        .map(EventEnvelope::sequenceNr)
        .toList();
  }

  @Test
  void currentQueriesReturnRanges(TestInfo info) throws Exception {
    String pid = pid(info);
    // More events than one read of the store (query-batch, 256) takes.
    write(system, pid, 1, 600);
    assertEquals(range(1, 600), current(system, pid, 1, Long.MAX_VALUE));
    assertEquals(range(1, 600), current(system, pid, 0, Long.MAX_VALUE));
    assertEquals(range(3, 6), current(system, pid, 3, 6));
    assertEquals(range(250, 300), current(system, pid, 250, 300));
    assertEquals(List.of(), current(system, pid, 601, Long.MAX_VALUE));
    assertEquals(List.of(), current(system, pid, 6, 3));
    assertEquals(List.of(), current(system, pid, Long.MAX_VALUE - 1, Long.MAX_VALUE));
    assertEquals(List.of(), current(system, "query-nobody", 1, Long.MAX_VALUE));
  }

  @Test
  void envelopesCarryTheEventItsSequenceNumberAndATimestamp(TestInfo info) throws Exception {
    String pid = pid(info);
    write(system, pid, 1, 2);
    List<EventEnvelope> events =
        readJournal(system)
            .currentEventsByPersistenceId(pid, 1, Long.MAX_VALUE)
            .runWith(Sink.seq(), system)
            .toCompletableFuture()
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(2, events.size());
    EventEnvelope second = events.get(1);
    assertEquals(pid, second.persistenceId());
    assertEquals(2, second.sequenceNr());
    assertEquals(new Sequence(2), second.offset());
    assertEquals(pid + "-2", second.event());
    assertTrue(second.timestamp() > 0, "the journal stamps events it writes");
  }

  @Test
  void currentQueriesCrossADeletedPrefix(TestInfo info) throws Exception {
    String pid = pid(info);
    write(system, pid, 1, 10);
    deleteTo(system, pid, 4);
    assertEquals(range(5, 10), current(system, pid, 1, Long.MAX_VALUE));
    assertEquals(range(5, 6), current(system, pid, 2, 6));
    assertEquals(List.of(), current(system, pid, 1, 4));
    deleteTo(system, pid, Long.MAX_VALUE);
    assertEquals(List.of(), current(system, pid, 1, Long.MAX_VALUE));
    write(system, pid, 11, 12);
    assertEquals(range(11, 12), current(system, pid, 0, Long.MAX_VALUE));
  }

  @Test
  void sequenceNumbersUpToLongMaxValueNeitherOverflowNorStall(TestInfo info) throws Exception {
    String pid = pid(info);
    TestKit probe = new TestKit(system);
    send(
        system,
        probe,
        atomic(
            repr(pid, Long.MAX_VALUE - 1, "almost", probe.getRef()),
            repr(pid, Long.MAX_VALUE, "last", probe.getRef())));
    probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    assertEquals(
        List.of(Long.MAX_VALUE - 1, Long.MAX_VALUE), current(system, pid, 1, Long.MAX_VALUE));
    assertEquals(List.of(Long.MAX_VALUE), current(system, pid, Long.MAX_VALUE, Long.MAX_VALUE));
    // A live query that has emitted Long.MAX_VALUE has nothing left to wait for: it completes.
    List<EventEnvelope> all =
        readJournal(system)
            .eventsByPersistenceId(pid, Long.MAX_VALUE - 1, Long.MAX_VALUE)
            .runWith(Sink.seq(), system)
            .toCompletableFuture()
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(2, all.size());
  }

  @Test
  void aCurrentQueryEndsAtTheHighestSequenceNumberWhenItStarts(TestInfo info) throws Exception {
    String pid = pid(info);
    write(system, pid, 1, 3);
    CompletableFuture<Void> started = new CompletableFuture<>();
    CompletableFuture<Void> gate = new CompletableFuture<>();
    CompletableFuture<List<Long>> events =
        readJournal(system)
            .currentEventsByPersistenceId(pid, 1, Long.MAX_VALUE)
            .mapAsync(
                1,
                e -> {
                  started.complete(null);
                  return gate.thenApply(open -> e.sequenceNr());
                })
            .runWith(Sink.seq(), system)
            .toCompletableFuture();
    // The first event has been read, so the query has fixed its end; more events follow.
    started.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    write(system, pid, 4, 300);
    gate.complete(null);
    assertEquals(range(1, 3), events.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    assertEquals(range(1, 300), current(system, pid, 1, Long.MAX_VALUE));
  }

  @Test
  void liveQueriesSeeNewEventsAcrossADeletedPrefix(TestInfo info) throws Exception {
    String pid = pid(info);
    write(system, pid, 1, 5);
    deleteTo(system, pid, 3);
    CompletableFuture<List<EventEnvelope>> events = live(pid, 1, Long.MAX_VALUE, 5);
    // Caught up at 5 (4 and 5 are stored); 6..8 must arrive by the writer's notification.
    write(system, pid, 6, 8);
    assertEquals(range(4, 8), sequenceNrs(events));
  }

  @Test
  void aLiveQueryOfAnIdWithoutEventsWaitsForTheFirst(TestInfo info) throws Exception {
    String pid = pid(info);
    CompletableFuture<List<EventEnvelope>> events = live(pid, 0, Long.MAX_VALUE, 2);
    write(system, pid, 1, 1);
    write(system, pid, 2, 2);
    assertEquals(range(1, 2), sequenceNrs(events));
  }

  @Test
  void aLiveQueryCompletesAtItsBound(TestInfo info) throws Exception {
    String pid = pid(info);
    write(system, pid, 1, 5);
    CompletableFuture<List<EventEnvelope>> events =
        readJournal(system)
            .eventsByPersistenceId(pid, 2, 7)
            .runWith(Sink.seq(), system)
            .toCompletableFuture();
    write(system, pid, 6, 9);
    assertEquals(range(2, 7), sequenceNrs(events));
  }

  @Test
  void liveQueriesOfOtherIdsAreNotWokenIntoEmittingAnything(TestInfo info) throws Exception {
    String pid = pid(info);
    CompletableFuture<List<EventEnvelope>> quiet = live(pid + "-quiet", 1, Long.MAX_VALUE, 1);
    CompletableFuture<List<EventEnvelope>> busy = live(pid, 1, Long.MAX_VALUE, 3);
    write(system, pid, 1, 3);
    assertEquals(range(1, 3), sequenceNrs(busy));
    assertFalse(quiet.isDone(), "a query of an id nobody wrote has nothing to emit");
    write(system, pid + "-quiet", 1, 1);
    assertEquals(range(1, 1), sequenceNrs(quiet));
  }

  @Test
  void theScalaDslReadJournalAnswersTheSame(TestInfo info) throws Exception {
    String pid = pid(info);
    write(system, pid, 1, 4);
    deleteTo(system, pid, 1);
    RocksReadJournal scaladsl =
        PersistenceQuery.get(system).<RocksReadJournal>readJournalFor(RocksReadJournal.IDENTIFIER);
    var events =
        scaladsl
            .currentEventsByPersistenceId(pid, 0, Long.MAX_VALUE)
            .runWith(
                org.apache.pekko.stream.scaladsl.Sink.seq(), Materializer.matFromSystem(system));
    var seq =
        scala.jdk.javaapi.FutureConverters.asJava(events)
            .toCompletableFuture()
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(
        range(2, 4),
        scala.jdk.javaapi.CollectionConverters.asJava(seq).stream()
            .map(EventEnvelope::sequenceNr)
            .toList());
    var live =
        scaladsl
            .eventsByPersistenceId(pid, 0, 5)
            .runWith(
                org.apache.pekko.stream.scaladsl.Sink.seq(), Materializer.matFromSystem(system));
    write(system, pid, 5, 5);
    assertEquals(
        4,
        scala.jdk.javaapi.FutureConverters.asJava(live)
            .toCompletableFuture()
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
            .size());
  }
}
