package io.actorgrid.grid.internal.rocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.testkit.javadsl.TestKit;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Actor systems on the RocksDB plugins, and the journal protocol as Pekko's persistence TCK speaks
 * it to a journal actor, for the Rocks* tests.
 */
final class RocksTesting {
  private RocksTesting() {}

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final String WRITER = "test-writer";

  /**
   * The plugins in {@code dir}, on a local actor system: they need no cluster, so the tests set
   * {@code pekko.actor.provider = local} instead of grid-node's cluster provider.
   */
  static Config config(Path dir, String extra) {
    return ConfigFactory.parseString(
            extra
                + "\npekko.actor.provider = local\n"
                + "pekko.persistence.journal.plugin = \"actorgrid-rocksdb.journal\"\n"
                + "pekko.persistence.snapshot-store.plugin = \"actorgrid-rocksdb.snapshot-store\"\n"
                + "actorgrid-rocksdb.dir = \""
                + dir
                + "\"\n")
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  static ActorSystem system(Path dir, String extra) {
    return ActorSystem.create("rocks", config(dir, extra));
  }

  /** Terminates the system and waits: its store is closed when this returns. */
  static void terminate(ActorSystem system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static ActorRef journal(ActorSystem system) {
    return Persistence.get(system).journalFor("", ConfigFactory.empty());
  }

  static PersistentRepr repr(
      String persistenceId, long sequenceNr, Object payload, ActorRef sender) {
    return PersistentRepr.apply(payload, sequenceNr, persistenceId, "", false, sender, WRITER);
  }

  static AtomicWrite atomic(PersistentRepr... reprs) {
    return AtomicWrite.apply(CollectionConverters.asScala(List.of(reprs)).toList());
  }

  /** Sends the writes as one WriteMessages; the replies go to the probe. */
  static void send(ActorSystem system, TestKit probe, AtomicWrite... writes) {
    List<PersistentEnvelope> envelopes = List.of(writes);
    journal(system)
        .tell(
            new JournalProtocol.WriteMessages(
                CollectionConverters.asScala(envelopes).toList(), probe.getRef(), 1),
            ActorRef.noSender());
  }

  /** Writes events "pid-n" for sequence numbers from..to, one atomic write each; awaits success. */
  static void write(ActorSystem system, String persistenceId, long from, long to) {
    TestKit probe = new TestKit(system);
    List<AtomicWrite> writes = new ArrayList<>();
    for (long n = from; n <= to; n++) {
      writes.add(atomic(repr(persistenceId, n, persistenceId + "-" + n, probe.getRef())));
    }
    send(system, probe, writes.toArray(AtomicWrite[]::new));
    probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    for (long n = from; n <= to; n++) {
      JournalProtocol.WriteMessageSuccess ok =
          probe.expectMsgClass(TIMEOUT, JournalProtocol.WriteMessageSuccess.class);
      assertEquals(n, ok.persistent().sequenceNr());
    }
  }

  /** What a replay returned: the events' sequence numbers and payloads, and the highest. */
  record Replay(List<Long> sequenceNrs, List<Object> payloads, long highest) {}

  static Replay replay(ActorSystem system, String persistenceId, long from, long to, long max) {
    TestKit probe = new TestKit(system);
    journal(system)
        .tell(
            new JournalProtocol.ReplayMessages(from, to, max, persistenceId, probe.getRef()),
            ActorRef.noSender());
    List<Long> sequenceNrs = new ArrayList<>();
    List<Object> payloads = new ArrayList<>();
    while (true) {
      Object message = probe.receiveOne(TIMEOUT);
      if (message instanceof JournalProtocol.ReplayedMessage replayed) {
        sequenceNrs.add(replayed.persistent().sequenceNr());
        payloads.add(replayed.persistent().payload());
      } else if (message instanceof JournalProtocol.RecoverySuccess success) {
        return new Replay(sequenceNrs, payloads, success.highestSequenceNr());
      } else {
        return fail("replay of " + persistenceId + " answered " + message);
      }
    }
  }

  static Replay replayAll(ActorSystem system, String persistenceId) {
    return replay(system, persistenceId, 1, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  static void deleteTo(ActorSystem system, String persistenceId, long toSequenceNr) {
    TestKit probe = new TestKit(system);
    journal(system)
        .tell(
            new JournalProtocol.DeleteMessagesTo(persistenceId, toSequenceNr, probe.getRef()),
            ActorRef.noSender());
    DeleteMessagesSuccess ok = probe.expectMsgClass(TIMEOUT, DeleteMessagesSuccess.class);
    assertEquals(toSequenceNr, ok.toSequenceNr());
  }

  static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long n = from; n <= to; n++) {
      out.add(n);
    }
    return out;
  }

  static RocksJavaReadJournal readJournal(ActorSystem system) {
    return PersistenceQuery.get(system)
        .getReadJournalFor(RocksJavaReadJournal.class, RocksReadJournal.IDENTIFIER);
  }

  /** Sequence numbers of the events of a current query. */
  static List<Long> current(ActorSystem system, String persistenceId, long from, long to)
      throws Exception {
    return readJournal(system)
        .currentEventsByPersistenceId(persistenceId, from, to)
        .map(EventEnvelope::sequenceNr)
        .runWith(Sink.seq(), system)
        .toCompletableFuture()
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }
}
