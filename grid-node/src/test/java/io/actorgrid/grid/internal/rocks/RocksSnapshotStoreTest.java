package io.actorgrid.grid.internal.rocks;

import static io.actorgrid.grid.internal.rocks.RocksTesting.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.DeleteSnapshotSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot store plugin against a real RocksDB through the snapshot protocol, covering what
 * Pekko's persistence TCK (SnapshotStoreSpec) checks: selection by criteria, deleting one and
 * deleting by criteria, and that snapshots survive a restart.
 *
 * <p>The store stamps each snapshot with the time it saves it, so several may share a millisecond:
 * selections by timestamp are checked against the stamps the store reported.
 */
class RocksSnapshotStoreTest {
  @TempDir static Path dir;
  private static ActorSystem system;

  @BeforeAll
  static void start() {
    system = RocksTesting.system(dir.resolve("shared"), "");
  }

  @AfterAll
  static void stop() throws Exception {
    RocksTesting.terminate(system);
  }

  private static ActorRef store(ActorSystem system) {
    return Persistence.get(system).snapshotStoreFor("", ConfigFactory.empty());
  }

  /** Saves snapshots "s-n" at sequence numbers 1..5; returns their metadata as stored. */
  private static List<SnapshotMetadata> saveFive(ActorSystem system, String pid) {
    TestKit probe = new TestKit(system);
    List<SnapshotMetadata> saved = new ArrayList<>();
    for (long n = 1; n <= 5; n++) {
      store(system)
          .tell(
              new SnapshotProtocol.SaveSnapshot(new SnapshotMetadata(pid, n, 0), "s-" + n),
              probe.getRef());
      saved.add(probe.expectMsgClass(TIMEOUT, SaveSnapshotSuccess.class).metadata());
    }
    return saved;
  }

  private static Optional<SelectedSnapshot> load(
      ActorSystem system, String pid, SnapshotSelectionCriteria criteria) {
    TestKit probe = new TestKit(system);
    store(system)
        .tell(new SnapshotProtocol.LoadSnapshot(pid, criteria, Long.MAX_VALUE), probe.getRef());
    SnapshotProtocol.LoadSnapshotResult result =
        probe.expectMsgClass(TIMEOUT, SnapshotProtocol.LoadSnapshotResult.class);
    return result.snapshot().isDefined() ? Optional.of(result.snapshot().get()) : Optional.empty();
  }

  private static long loadedSequenceNr(
      ActorSystem system, String pid, SnapshotSelectionCriteria criteria) {
    return load(system, pid, criteria).map(s -> s.metadata().sequenceNr()).orElse(0L);
  }

  private static String pid(TestInfo info) {
    return "snapshots-" + info.getTestMethod().orElseThrow().getName();
  }

  @Test
  void loadsTheYoungestSnapshotThatMatches(TestInfo info) {
    String pid = pid(info);
    List<SnapshotMetadata> saved = saveFive(system, pid);
    SelectedSnapshot latest = load(system, pid, SnapshotSelectionCriteria.latest()).orElseThrow();
    assertEquals(5, latest.metadata().sequenceNr());
    assertEquals("s-5", latest.snapshot());
    assertEquals(saved.get(4).timestamp(), latest.metadata().timestamp());

    assertEquals(
        3, loadedSequenceNr(system, pid, SnapshotSelectionCriteria.create(3, Long.MAX_VALUE)));
    assertEquals(
        5,
        loadedSequenceNr(
            system, pid, SnapshotSelectionCriteria.create(Long.MAX_VALUE, Long.MAX_VALUE, 4, 0)));
    assertEquals(
        0,
        loadedSequenceNr(system, pid, SnapshotSelectionCriteria.create(3, Long.MAX_VALUE, 4, 0)));
    assertEquals(
        0, loadedSequenceNr(system, pid, SnapshotSelectionCriteria.create(0, Long.MAX_VALUE)));
    assertEquals(
        0, loadedSequenceNr(system, "snapshots-nobody", SnapshotSelectionCriteria.latest()));

    // By timestamp: the youngest snapshot stamped at or before the second one's stamp.
    long second = saved.get(1).timestamp();
    long expected = 0;
    for (SnapshotMetadata md : saved) {
      if (md.timestamp() <= second) {
        expected = md.sequenceNr();
      }
    }
    assertEquals(
        expected,
        loadedSequenceNr(system, pid, SnapshotSelectionCriteria.create(Long.MAX_VALUE, second)));
    long first = saved.get(0).timestamp();
    assertEquals(
        0,
        loadedSequenceNr(system, pid, SnapshotSelectionCriteria.create(Long.MAX_VALUE, first - 1)));
    // A minimum timestamp after every stamp selects none.
    long last = saved.get(4).timestamp();
    assertEquals(
        0,
        loadedSequenceNr(
            system,
            pid,
            SnapshotSelectionCriteria.create(Long.MAX_VALUE, Long.MAX_VALUE, 0, last + 1)));
  }

  @Test
  void deletesOneSnapshot(TestInfo info) {
    String pid = pid(info);
    List<SnapshotMetadata> saved = saveFive(system, pid);
    TestKit probe = new TestKit(system);
    // Timestamp 0 as a persistent actor's deleteSnapshot(sequenceNr) sends it.
    SnapshotMetadata fifth = new SnapshotMetadata(pid, 5, 0);
    store(system).tell(new SnapshotProtocol.DeleteSnapshot(fifth), probe.getRef());
    probe.expectMsgClass(TIMEOUT, DeleteSnapshotSuccess.class);
    assertEquals(4, loadedSequenceNr(system, pid, SnapshotSelectionCriteria.latest()));
    store(system).tell(new SnapshotProtocol.DeleteSnapshot(saved.get(3)), probe.getRef());
    probe.expectMsgClass(TIMEOUT, DeleteSnapshotSuccess.class);
    assertEquals(3, loadedSequenceNr(system, pid, SnapshotSelectionCriteria.latest()));
  }

  @Test
  void deletesSnapshotsByCriteria(TestInfo info) {
    String pid = pid(info);
    saveFive(system, pid);
    TestKit probe = new TestKit(system);
    SnapshotSelectionCriteria upToThree = SnapshotSelectionCriteria.create(3, Long.MAX_VALUE);
    store(system).tell(new SnapshotProtocol.DeleteSnapshots(pid, upToThree), probe.getRef());
    assertEquals(upToThree, probe.expectMsgClass(TIMEOUT, DeleteSnapshotsSuccess.class).criteria());
    assertEquals(0, loadedSequenceNr(system, pid, upToThree));
    assertEquals(5, loadedSequenceNr(system, pid, SnapshotSelectionCriteria.latest()));
    // A range with a minimum: only 5 goes.
    SnapshotSelectionCriteria fromFive =
        SnapshotSelectionCriteria.create(Long.MAX_VALUE, Long.MAX_VALUE, 5, 0);
    store(system).tell(new SnapshotProtocol.DeleteSnapshots(pid, fromFive), probe.getRef());
    probe.expectMsgClass(TIMEOUT, DeleteSnapshotsSuccess.class);
    assertEquals(4, loadedSequenceNr(system, pid, SnapshotSelectionCriteria.latest()));
  }

  @Test
  void aSnapshotAtAnExistingSequenceNumberReplacesIt(TestInfo info) {
    String pid = pid(info);
    saveFive(system, pid);
    TestKit probe = new TestKit(system);
    store(system)
        .tell(
            new SnapshotProtocol.SaveSnapshot(new SnapshotMetadata(pid, 5, 0), "again"),
            probe.getRef());
    probe.expectMsgClass(TIMEOUT, SaveSnapshotSuccess.class);
    assertEquals(
        "again", load(system, pid, SnapshotSelectionCriteria.latest()).orElseThrow().snapshot());
  }

  @Test
  void snapshotsSurviveARestart() throws Exception {
    Path own = dir.resolve("restart");
    ActorSystem first = RocksTesting.system(own, "");
    try {
      saveFive(first, "restarted");
    } finally {
      RocksTesting.terminate(first);
    }
    ActorSystem second = RocksTesting.system(own, "");
    try {
      SelectedSnapshot latest =
          load(second, "restarted", SnapshotSelectionCriteria.latest()).orElseThrow();
      assertEquals(5, latest.metadata().sequenceNr());
      assertEquals("s-5", latest.snapshot());
      assertTrue(latest.metadata().timestamp() > 0, "the stamp is stored with the snapshot");
    } finally {
      RocksTesting.terminate(second);
    }
  }
}
