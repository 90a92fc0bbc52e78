package io.actorgrid.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.Partition;
import io.actorgrid.grid.internal.Partitioner;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.junit.jupiter.api.Test;

/**
 * A change feed asked to resume where retention deleted changes: 410 before the stream starts. A
 * class of its own, so the deletion does not age the positions of other tests' feeds.
 */
class ChangeRoutesRetentionTest extends RouteTestSupport {

  @Test
  void anIdOlderThanRetentionIsGone() throws Exception {
    String map = "gone";
    int partition = new Partitioner(PARTITIONS).partitionOf(map, "k");
    List<Long> versions = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      versions.add(etagVersion(put(map, "k", "v" + i, "text/plain")));
    }
    List<String> ids = new ArrayList<>();
    try (ChangeRoutesTest.Stream lines =
        ChangeRoutesTest.open(
            ChangeRoutesTest.changes(map, "?from=beginning"), "Accept", "application/x-ndjson")) {
      for (int i = 0; i < 3; i++) {
        ids.add(lines.ndjsonChange().get("id").asText());
      }
    }
    // Retention as the journal does it: the journal plugin's DeleteMessagesTo.
    var journal =
        Persistence.get(Adapter.toClassic(grid.system())).journalFor("", ConfigFactory.empty());
    Object deleted =
        Patterns.askWithReplyTo(
                journal,
                replyTo ->
                    new JournalProtocol.DeleteMessagesTo(
                        Partition.persistenceId(partition).id(), versions.get(1), replyTo),
                Duration.ofSeconds(30))
            .toCompletableFuture()
            .get();
    assertInstanceOf(DeleteMessagesSuccess.class, deleted);

    URI tooOld = ChangeRoutesTest.changes(map, "?after=" + ids.get(0));
    JsonNode problem = assertProblem(get(tooOld, "Accept", "text/event-stream"), 410);
    assertTrue(problem.get("detail").asText().contains("from=beginning"), problem::toString);

    try (ChangeRoutesTest.Stream resumed =
        ChangeRoutesTest.open(
            ChangeRoutesTest.changes(map, "?after=" + ids.get(1)),
            "Accept",
            "application/x-ndjson")) {
      assertEquals(versions.get(2), resumed.ndjsonChange().get("version").asLong());
    }
  }
}
