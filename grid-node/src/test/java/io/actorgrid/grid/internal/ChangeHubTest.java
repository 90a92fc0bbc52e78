package io.actorgrid.grid.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.Grid;
import io.actorgrid.grid.GridMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partitions push their events to the change feeds' topic only while someone subscribes to it: a
 * node without feeds sends nothing (before, every journal write became a dead letter, and the node
 * logged them), and a subscription is found and served. A real node with the shipped defaults.
 */
class ChangeHubTest {
  @TempDir Path dataDir;

  @Test
  void partitionsPushTheirEventsOnlyWhileTheTopicHasASubscriber() throws Exception {
    Grid grid =
        Grid.start(
            ConfigFactory.parseString("actorgrid.data-dir = \"" + dataDir + "\"")
                .withFallback(ConfigFactory.load()));
    ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
    try {
      grid.awaitReady(Duration.ofSeconds(60));
      ActorSystem<?> system = grid.system();
      GridMap map = grid.map("pushes");
      // A push without a subscriber reaches dead letters as a Dropped inside a DeadLetter.
      TestProbe<ChangeHub.Pushed> dropped = TestProbe.create(system);
      ActorRef<DeadLetter> deadPushes =
          system.systemActorOf(
              Behaviors.receiveMessage(
                  (DeadLetter dead) -> {
                    Object message = dead.message();
                    if (message instanceof Dropped d) {
                      message = d.message();
                    }
                    if (message instanceof ChangeHub.Pushed push) {
                      dropped.ref().tell(push);
                    }
                    return Behaviors.same();
                  }),
              "dead-pushes",
              Props.empty());
      system.eventStream().tell(new EventStream.Subscribe<>(DeadLetter.class, deadPushes));

      for (int i = 0; i < 20; i++) {
        map.put("k" + i, ("v" + i).getBytes(UTF_8), "text/plain").toCompletableFuture().join();
      }
      dropped.expectNoMessage(Duration.ofSeconds(1));
      assertFalse(ChangeHub.get(system).publishing(), "no feed and no subscriber anywhere");

      TestProbe<ChangeHub.Pushed> pushed = TestProbe.create(system);
      ActorRef<Topic.Command<ChangeHub.Pushed>> topic =
          system.systemActorOf(
              Topic.create(ChangeHub.Pushed.class, ChangeHub.TOPIC),
              "change-topic-subscriber",
              Props.empty());
      topic.tell(Topic.subscribe(pushed.ref()));
      AtomicInteger next = new AtomicInteger();
      writer.scheduleWithFixedDelay(
          () -> {
            int i = next.incrementAndGet();
            map.put("later" + i, ("v" + i).getBytes(UTF_8), "text/plain");
          },
          0,
          100,
          TimeUnit.MILLISECONDS);
      ChangeHub.Pushed push =
          pushed.expectMessageClass(ChangeHub.Pushed.class, Duration.ofSeconds(30));
      assertTrue(ChangeHub.get(system).publishing());
      assertEquals(
          push.lastSequenceNr() - push.firstSequenceNr() + 1,
          push.events().size(),
          "a small batch is pushed with its events");
      PartitionEvent first = push.events().get(0);
      assertTrue(
          first instanceof PartitionEvent.EntryPut put && put.map().equals("pushes"),
          "the push holds the partition's events: " + first);
    } finally {
      writer.shutdownNow();
      grid.close();
    }
  }
}
