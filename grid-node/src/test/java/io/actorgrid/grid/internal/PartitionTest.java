package io.actorgrid.grid.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.WriteOutcome.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess$;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The partition actor in front of its journal: group commit, reads during writes, failures. */
class PartitionTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          PersistenceTestKitPlugin.config()
              .withFallback(PersistenceTestKitSnapshotPlugin.config())
              .withFallback(ConfigFactory.load()));
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private static final SnapshotTestKit snapshots = SnapshotTestKit.create(testKit.system());
  private static final AtomicInteger nextPartition = new AtomicInteger();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void resetJournal() {
    journal.resetPolicy();
  }

  private static GridSettings settings(boolean groupCommit) {
    return GridSettings.from(
        ConfigFactory.parseString("actorgrid.partition.group-commit = " + groupCommit)
            .withFallback(ConfigFactory.load()));
  }

  private static WriteOp put(String key, String value) {
    return new WriteOp.Put(
        "m", key, value.getBytes(StandardCharsets.UTF_8), "text/plain", -1, 0, null);
  }

  /** Holds every journal write of the partitions until released, and counts them. */
  private static final class GatedJournal implements ProcessingPolicy<JournalOperation> {
    final CountDownLatch gate = new CountDownLatch(1);
    final List<Integer> writeSizes = new CopyOnWriteArrayList<>();

    @Override
    public ProcessingResult tryProcess(String persistenceId, JournalOperation op) {
      if (op instanceof WriteEvents write) {
        writeSizes.add(write.getBatch().size());
        try {
          gate.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return ProcessingSuccess$.MODULE$;
    }
  }

  private ActorRef<Partition.Command> startRecovered(boolean groupCommit) {
    ActorRef<Partition.Command> partition =
        testKit.spawn(Partition.create(nextPartition.incrementAndGet(), settings(groupCommit)));
    TestProbe<Partition.Pong> pong = testKit.createTestProbe();
    partition.tell(new Partition.Ping(pong.getRef()));
    pong.receiveMessage(Duration.ofSeconds(10));
    return partition;
  }

  @Test
  void writesQueuedDuringAJournalWriteGoToTheJournalAsOneBatch() {
    assertEquals(List.of(1, 10), journalWriteSizes(true, 11));
  }

  @Test
  void withoutGroupCommitEachWriteIsItsOwnJournalWrite() {
    assertEquals(List.of(1, 1, 1, 1), journalWriteSizes(false, 4));
  }

  private List<Integer> journalWriteSizes(boolean groupCommit, int writes) {
    ActorRef<Partition.Command> partition = startRecovered(groupCommit);
    GatedJournal gated = new GatedJournal();
    journal.withPolicy(gated);
    TestProbe<Partition.Outcomes> acks = testKit.createTestProbe();
    partition.tell(new Partition.Write(List.of(put("k", "v0")), acks.getRef()));
    // The first write is now held in the journal; the others queue behind it.
    for (int i = 1; i < writes; i++) {
      partition.tell(new Partition.Write(List.of(put("k", "v" + i)), acks.getRef()));
    }
    acks.expectNoMessage(Duration.ofMillis(200));
    gated.gate.countDown();
    List<Long> versions = new ArrayList<>();
    for (int i = 0; i < writes; i++) {
      WriteOutcome outcome = acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0);
      versions.add(outcome.version());
    }
    List<Long> expected = new ArrayList<>();
    for (long v = 1; v <= writes; v++) {
      expected.add(v);
    }
    assertEquals(expected, versions, "acknowledged in order, one version each");
    return gated.writeSizes;
  }

  @Test
  void readsAnswerFromTheDurableStateWhileAWriteIsInTheJournal() {
    ActorRef<Partition.Command> partition = startRecovered(true);
    TestProbe<Partition.Outcomes> acks = testKit.createTestProbe();
    TestProbe<Partition.GetReply> reads = testKit.createTestProbe();
    partition.tell(new Partition.Write(List.of(put("k", "durable")), acks.getRef()));
    assertEquals(Status.CREATED, acks.receiveMessage().outcomes().get(0).status());

    GatedJournal gated = new GatedJournal();
    journal.withPolicy(gated);
    partition.tell(new Partition.Write(List.of(put("k", "pending")), acks.getRef()));
    partition.tell(new Partition.Write(List.of(put("new", "pending")), acks.getRef()));
    partition.tell(new Partition.Get("m", "k", reads.getRef()));
    partition.tell(new Partition.Get("m", "new", reads.getRef()));
    // Answered while the journal holds the writes: the last durable state, nothing pending.
    assertEquals(
        "durable", new String(reads.receiveMessage().entry().value(), StandardCharsets.UTF_8));
    assertNull(reads.receiveMessage().entry());
    acks.expectNoMessage(Duration.ofMillis(100));

    gated.gate.countDown();
    acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0);
    acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0);
    partition.tell(new Partition.Get("m", "k", reads.getRef()));
    assertEquals(
        "pending", new String(reads.receiveMessage().entry().value(), StandardCharsets.UTF_8));
  }

  @Test
  void aFailedJournalWriteIsNeverAcknowledgedAndThePartitionServesReadsUntilItRejoinsItsJournal() {
    ActorRef<Partition.Command> partition = startRecovered(true);
    TestProbe<Partition.Outcomes> acks = testKit.createTestProbe();
    partition.tell(new Partition.Write(List.of(put("before", "1")), acks.getRef()));
    assertEquals(
        Status.CREATED, acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0).status());
    journal.failNextPersisted();
    partition.tell(new Partition.Write(List.of(put("k", "lost")), acks.getRef()));
    assertEquals(
        Status.UNAVAILABLE, acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0).status());

    // Reads go on from the last durable state while the partition starts a new journal child.
    TestProbe<Partition.GetReply> reads = testKit.createTestProbe();
    partition.tell(new Partition.Get("m", "before", reads.getRef()));
    assertEquals("1", new String(reads.receiveMessage(Duration.ofSeconds(10)).entry().value()));

    // Writes are acknowledged again once a new child has recovered (after a backoff).
    Status status = Status.UNAVAILABLE;
    for (int attempt = 0; attempt < 50 && status == Status.UNAVAILABLE; attempt++) {
      partition.tell(new Partition.Write(List.of(put("k", "after")), acks.getRef()));
      status = acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0).status();
      if (status == Status.UNAVAILABLE) {
        testKit.createTestProbe().expectNoMessage(Duration.ofMillis(200));
      }
    }
    assertEquals(Status.CREATED, status);
    partition.tell(new Partition.Get("m", "k", reads.getRef()));
    assertEquals("after", new String(reads.receiveMessage(Duration.ofSeconds(10)).entry().value()));
  }

  @Test
  void aFullQueueRefusesWritesInsteadOfGrowing() {
    // A queue of 3 instead of 10,000, to fill it with a few writes.
    GridSettings small =
        GridSettings.from(
            ConfigFactory.parseString("actorgrid.partition.max-pending-writes = 3")
                .withFallback(ConfigFactory.load()));
    ActorRef<Partition.Command> partition =
        testKit.spawn(Partition.create(nextPartition.incrementAndGet(), small));
    TestProbe<Partition.Pong> pong = testKit.createTestProbe();
    partition.tell(new Partition.Ping(pong.getRef()));
    pong.receiveMessage(Duration.ofSeconds(10));

    GatedJournal gated = new GatedJournal();
    journal.withPolicy(gated);
    TestProbe<Partition.Outcomes> acks = testKit.createTestProbe();
    for (int i = 0; i < 5; i++) {
      partition.tell(new Partition.Write(List.of(put("k" + i, "v")), acks.getRef()));
    }
    // One write in the journal, three queued: the fifth is refused at once.
    assertEquals(
        Status.UNAVAILABLE, acks.receiveMessage(Duration.ofSeconds(5)).outcomes().get(0).status());
    gated.gate.countDown();
    for (int i = 0; i < 4; i++) {
      assertEquals(
          Status.CREATED, acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0).status());
    }
  }

  @Test
  void theOperationsOfOneWriteAreOneJournalWrite() {
    ActorRef<Partition.Command> partition = startRecovered(true);
    GatedJournal gated = new GatedJournal();
    journal.withPolicy(gated);
    TestProbe<Partition.Outcomes> acks = testKit.createTestProbe();
    partition.tell(new Partition.Write(List.of(put("a", "1"), put("b", "2")), acks.getRef()));
    partition.tell(
        new Partition.Write(
            List.of(put("c", "3"), new WriteOp.Read("m", "a"), put("d", "4")), acks.getRef()));
    partition.tell(new Partition.Write(List.of(put("e", "5")), acks.getRef()));
    gated.gate.countDown();
    assertEquals(2, acks.receiveMessage(Duration.ofSeconds(10)).outcomes().size());
    List<WriteOutcome> second = acks.receiveMessage(Duration.ofSeconds(10)).outcomes();
    assertEquals(
        List.of(Status.CREATED, Status.FOUND, Status.CREATED),
        second.stream().map(WriteOutcome::status).toList());
    assertEquals(1, acks.receiveMessage(Duration.ofSeconds(10)).outcomes().size());
    // The first write alone, then the two queued behind it together; never split.
    assertEquals(List.of(2, 3), gated.writeSizes);
  }

  @Test
  void readOnlyWritesAnswerAtOnceFromTheState() {
    ActorRef<Partition.Command> partition = startRecovered(true);
    TestProbe<Partition.Outcomes> acks = testKit.createTestProbe();
    partition.tell(new Partition.Write(List.of(put("a", "1")), acks.getRef()));
    acks.receiveMessage(Duration.ofSeconds(10));
    GatedJournal gated = new GatedJournal();
    journal.withPolicy(gated);
    partition.tell(new Partition.Write(List.of(put("a", "2")), acks.getRef()));
    partition.tell(
        new Partition.Write(
            List.of(new WriteOp.Read("m", "a"), new WriteOp.Read("m", "none")), acks.getRef()));
    List<WriteOutcome> reads = acks.receiveMessage(Duration.ofSeconds(5)).outcomes();
    assertEquals(Status.FOUND, reads.get(0).status());
    assertEquals("1", new String(reads.get(0).entry().value(), StandardCharsets.UTF_8));
    assertEquals(Status.NOT_FOUND, reads.get(1).status());
    gated.gate.countDown();
    acks.receiveMessage(Duration.ofSeconds(10));
  }

  @Test
  void expiredRecordsAreRemovedByAnEventWithoutAnyRequest() throws Exception {
    int id = nextPartition.incrementAndGet();
    ActorRef<Partition.Command> partition = testKit.spawn(Partition.create(id, settings(true)));
    TestProbe<Partition.Outcomes> acks = testKit.createTestProbe();
    partition.tell(
        new Partition.Write(
            List.of(
                new WriteOp.Put("m", "short", new byte[] {1}, "text/plain", -1, 300, null),
                put("long", "stays")),
            acks.getRef()));
    acks.receiveMessage(Duration.ofSeconds(10));
    String pid = Partition.persistenceId(id).id();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    List<Object> events = journal.persistedInStorage(pid);
    while (events.stream().noneMatch(e -> e instanceof PartitionEvent.EntryExpired)
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
      events = journal.persistedInStorage(pid);
    }
    var expired =
        events.stream()
            .filter(e -> e instanceof PartitionEvent.EntryExpired)
            .map(PartitionEvent.EntryExpired.class::cast)
            .toList();
    assertEquals(1, expired.size(), events::toString);
    assertEquals("short", expired.get(0).key());
    TestProbe<Partition.Counts> counts = testKit.createTestProbe();
    partition.tell(new Partition.GetCounts(counts.getRef()));
    assertEquals(java.util.Map.of("m", 1L), counts.receiveMessage().counts());
  }

  @Test
  void onHandOffThePartitionAnswersTheWritesItHoldsThenStops() {
    ActorRef<Partition.Command> partition = startRecovered(true);
    GatedJournal gated = new GatedJournal();
    journal.withPolicy(gated);
    TestProbe<Partition.Outcomes> acks = testKit.createTestProbe();
    TestProbe<Object> watcher = testKit.createTestProbe();
    partition.tell(new Partition.Write(List.of(put("a", "in the journal")), acks.getRef()));
    partition.tell(new Partition.Write(List.of(put("b", "queued")), acks.getRef()));
    partition.tell(Partition.HandOff.INSTANCE);
    acks.expectNoMessage(Duration.ofMillis(200));
    gated.gate.countDown();
    // Both acknowledged after their journal write, not dropped with the partition.
    assertEquals(
        Status.CREATED, acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0).status());
    assertEquals(
        Status.CREATED, acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0).status());
    watcher.expectTerminated(partition, Duration.ofSeconds(10));
  }

  @Test
  void theNodesCopyOfTheStateHoldsEveryAcknowledgedWriteAndIsWithdrawnOnHandOff() {
    int id = nextPartition.incrementAndGet();
    LocalPartitions local = LocalPartitions.get(testKit.system());
    ActorRef<Partition.Command> partition = testKit.spawn(Partition.create(id, settings(true)));
    TestProbe<Partition.Pong> pong = testKit.createTestProbe();
    partition.tell(new Partition.Ping(pong.getRef()));
    pong.receiveMessage(Duration.ofSeconds(10));
    assertTrue(local.state(id).get("m", "k", System.currentTimeMillis()).isEmpty());

    TestProbe<Partition.Outcomes> acks = testKit.createTestProbe();
    partition.tell(new Partition.Write(List.of(put("k", "durable")), acks.getRef()));
    acks.receiveMessage(Duration.ofSeconds(10));
    // Current when the acknowledgement arrives: a read that starts after it sees the write.
    assertEquals("durable", valueOf(local.state(id), "k"));

    GatedJournal gated = new GatedJournal();
    journal.withPolicy(gated);
    partition.tell(new Partition.Write(List.of(put("k", "pending")), acks.getRef()));
    partition.tell(Partition.HandOff.INSTANCE);
    // Withdrawn at the hand-off, while its last write is still in the journal: reads go through
    // sharding from then on, to the partition's next home.
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        () -> {
          assertNull(local.state(id));
          return null;
        });
    acks.expectNoMessage(Duration.ofMillis(100));
    gated.gate.countDown();
    assertEquals(
        Status.UPDATED, acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0).status());
    probe.expectTerminated(partition, Duration.ofSeconds(10));
    assertNull(local.state(id));
  }

  private static String valueOf(PartitionState state, String key) {
    return new String(
        state.get("m", key, System.currentTimeMillis()).orElseThrow().value(),
        StandardCharsets.UTF_8);
  }

  @Test
  void aWriteSentAgainWhileItsFirstAttemptIsInTheJournalIsAppliedOnce() {
    ActorRef<Partition.Command> partition = startRecovered(true);
    GatedJournal gated = new GatedJournal();
    journal.withPolicy(gated);
    TestProbe<Partition.Outcomes> acks = testKit.createTestProbe();
    long id = Partition.Write.newWriteId();
    List<WriteOp> increment = List.of(new WriteOp.Increment("m", "c", 1, 0, null));
    partition.tell(new Partition.Write(increment, acks.getRef(), id));
    // Its node heard nothing in time and sends it again: it queues behind the first attempt.
    partition.tell(new Partition.Write(increment, acks.getRef(), id));
    acks.expectNoMessage(Duration.ofMillis(200));
    gated.gate.countDown();
    WriteOutcome first = acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0);
    WriteOutcome again = acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0);
    assertEquals(Status.CREATED, again.status());
    assertEquals(first.version(), again.version());
    assertEquals("1", new String(again.entry().value(), StandardCharsets.US_ASCII));
    assertEquals(List.of(1), gated.writeSizes, "one journal write of one event: the first");
  }

  /** Holds the partitions' recoveries (their journal reads) until released. */
  private static final class GatedRecovery implements ProcessingPolicy<JournalOperation> {
    final CountDownLatch gate = new CountDownLatch(1);

    @Override
    public ProcessingResult tryProcess(String persistenceId, JournalOperation op) {
      // A partition without events reads only its highest sequence number: the journal skips the
      // replay. Holding only ReadEvents left such a recovery free to finish before the test's
      // requests arrived.
      if (op instanceof org.apache.pekko.persistence.testkit.ReadEvents
          || op instanceof org.apache.pekko.persistence.testkit.ReadSeqNum$) {
        try {
          gate.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return ProcessingSuccess$.MODULE$;
    }
  }

  @Test
  void aRecoveringPartitionWithAFullStashRefusesRequestsAtOnce() {
    // A stash of 2 instead of 10,000, to fill it with a few requests.
    GridSettings small =
        GridSettings.from(
            ConfigFactory.parseString("actorgrid.partition.max-pending-writes = 2")
                .withFallback(ConfigFactory.load()));
    GatedRecovery gated = new GatedRecovery();
    journal.withPolicy(gated);
    var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    GridMetrics metrics = new GridMetrics(registry, 0);
    ActorRef<Partition.Command> partition =
        testKit.spawn(Partition.create(nextPartition.incrementAndGet(), small, metrics));
    TestProbe<Partition.Outcomes> acks = testKit.createTestProbe();
    TestProbe<Partition.GetReply> reads = testKit.createTestProbe();
    partition.tell(new Partition.Write(List.of(put("a", "1")), acks.getRef()));
    partition.tell(new Partition.Write(List.of(put("b", "2")), acks.getRef()));
    partition.tell(new Partition.Write(List.of(put("c", "3")), acks.getRef()));
    partition.tell(new Partition.Get("m", "a", reads.getRef()));
    // The stash holds two: the third write and the read are answered at once, not left to time out.
    Partition.Outcomes refused = acks.receiveMessage(Duration.ofSeconds(5));
    assertEquals(Status.UNAVAILABLE, refused.outcomes().get(0).status());
    assertTrue(refused.sendAgain(), "refused untried: its node may send it again");
    assertEquals(true, reads.receiveMessage(Duration.ofSeconds(5)).unavailable());
    gated.gate.countDown();
    assertEquals(
        Status.CREATED, acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0).status());
    assertEquals(
        Status.CREATED, acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0).status());
    // The refusals, the recovery and the journal writes (recorded before their replies) counted.
    assertEquals(
        2.0, registry.get("actorgrid.unavailable").tag("cause", "recovering").counter().count());
    assertEquals(
        0.0, registry.get("actorgrid.unavailable").tag("cause", "queue_full").counter().count());
    assertEquals(1, registry.get("actorgrid.partition.recovery").timer().count());
    assertEquals(1.0, registry.get("actorgrid.partitions.hosted").gauge().value());
    assertEquals(2.0, registry.get("actorgrid.journal.write.events").summary().totalAmount());
    long writes = registry.get("actorgrid.journal.write").timer().count();
    assertTrue(writes == 1 || writes == 2, "journal writes: " + writes);
  }

  @Test
  void onlyTheLatestSnapshotIsKept() throws Exception {
    // Snapshots from 1 KiB of events instead of 4 MiB, to take several with a few writes.
    GridSettings small =
        GridSettings.from(
            ConfigFactory.parseString("actorgrid.partition.min-snapshot-bytes = 1KiB")
                .withFallback(ConfigFactory.load()));
    int id = nextPartition.incrementAndGet();
    ActorRef<Partition.Command> partition = testKit.spawn(Partition.create(id, small));
    TestProbe<Partition.Outcomes> acks = testKit.createTestProbe();
    for (int i = 0; i < 12; i++) {
      partition.tell(new Partition.Write(List.of(put("k" + i, "v".repeat(2048))), acks.getRef()));
      acks.receiveMessage(Duration.ofSeconds(10));
    }
    String pid = Partition.persistenceId(id).id();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    var stored = snapshots.persistedInStorage(pid);
    while (stored.size() != 1 && System.nanoTime() < deadline) {
      Thread.sleep(50);
      stored = snapshots.persistedInStorage(pid);
    }
    assertEquals(1, stored.size(), () -> "snapshots kept: " + snapshots.persistedInStorage(pid));
    assertTrue(stored.get(0).first().sequenceNr() > 1, "the latest snapshot is the one kept");
  }

  @Test
  void aPartitionOnANodeWithoutRoomRefusesWritesThatAddDataButNotDeletes() throws Exception {
    // A node whose guard refuses from almost nothing (0.1 % of the heap), to refuse at once.
    ActorTestKit full =
        ActorTestKit.create(
            ConfigFactory.parseString(
                    "actorgrid.memory.refuse-writes-above = 0.001\n"
                        + "actorgrid.memory.resume-writes-below = 0.0005\n"
                        + "pekko.remote.artery.canonical.port = 0")
                .withFallback(
                    PersistenceTestKitPlugin.config()
                        .withFallback(PersistenceTestKitSnapshotPlugin.config())
                        .withFallback(ConfigFactory.load())));
    try {
      MemoryGuard guard = MemoryGuard.get(full.system());
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!guard.refusing() && System.nanoTime() < deadline) {
        System.gc();
        Thread.sleep(100);
      }
      assertTrue(guard.refusing(), "the guard refuses above 0.1 % of the heap");
      ActorRef<Partition.Command> partition =
          full.spawn(Partition.create(nextPartition.incrementAndGet(), settings(true)));
      TestProbe<Partition.Outcomes> acks = full.createTestProbe();
      partition.tell(new Partition.Write(List.of(put("k", "v")), acks.getRef()));
      WriteOutcome refused = acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0);
      assertEquals(Status.INSUFFICIENT_STORAGE, refused.status());
      partition.tell(
          new Partition.Write(
              List.of(new WriteOp.Delete("m", "k", WriteOp.ANY, null)), acks.getRef()));
      assertEquals(
          Status.NOT_FOUND, acks.receiveMessage(Duration.ofSeconds(10)).outcomes().get(0).status());
    } finally {
      full.shutdownTestKit();
    }
  }
}
