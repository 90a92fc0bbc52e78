package io.actorgrid.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What operators ask a node: health and the cluster. */
class OperationRoutesTest extends RouteTestSupport {
  @Test
  void healthEndpointsAnswerWhileTheNodeIsUp() throws Exception {
    var live = get(URI.create(base + "/health/live"));
    assertEquals(200, live.statusCode());
    assertEquals("application/json", mediaType(live));
    assertEquals("live", json(live).get("status").asText());

    var ready = get(URI.create(base + "/health/ready"));
    assertEquals(200, ready.statusCode(), () -> text(ready));
    assertEquals("application/json", mediaType(ready));
    assertEquals("ready", json(ready).get("status").asText());
  }

  @Test
  void clusterShowsThisNodeAsTheOnlyMemberHostingEveryPartition() throws Exception {
    var reply = get(URI.create(base + "/v1/cluster"));
    assertEquals(200, reply.statusCode(), () -> text(reply));
    assertEquals("application/json", mediaType(reply));
    JsonNode cluster = json(reply);
    assertEquals(
        Set.of("self", "leader", "members", "partitions"), fieldNames(cluster), cluster::toString);
    String self = cluster.get("self").asText();
    assertTrue(self.startsWith("pekko://actorgrid@"), self);
    assertEquals(self, cluster.get("leader").asText(), "a single node leads its own cluster");

    assertEquals(1, cluster.get("members").size(), cluster::toString);
    JsonNode member = cluster.get("members").get(0);
    assertEquals(self, member.get("address").asText());
    assertEquals("Up", member.get("status").asText());
    assertTrue(member.get("reachable").asBoolean());
    assertTrue(member.get("roles").isArray());

    // The node is ready, so every partition has started, all of them here.
    JsonNode partitions = cluster.get("partitions");
    assertEquals(Set.of(self), fieldNames(partitions), partitions::toString);
    List<Integer> hosted = new ArrayList<>();
    partitions.get(self).forEach(p -> hosted.add(p.asInt()));
    assertEquals(IntStream.range(0, PARTITIONS).boxed().toList(), hosted);

    var post = send(request(URI.create(base + "/v1/cluster")).POST(BodyPublishers.noBody()));
    assertProblem(post, 405);
    assertEquals(Set.of("GET"), allowed(post));
  }
}
