package io.actorgrid.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Route templates and bounded labels of the request metrics, without a node. */
class RequestObservationTest {

  @ParameterizedTest
  @CsvSource({
    "GET, /health/live, /health/live",
    "GET, /health/ready, /health/ready",
    "GET, /metrics, /metrics",
    "GET, /v1/cluster, /v1/cluster",
    "GET, /v1/openapi.json, /v1/openapi.json",
    "GET, /v1/maps, /v1/maps",
    "GET, /v1/maps/, /v1/maps",
    "GET, /v1/maps/users, /v1/maps/{map}",
    "PUT, /v1/maps/users/, /v1/maps/{map}",
    "POST, /v1/maps/users:batch, /v1/maps/{map}:batch",
    "POST, /v1/maps/users:clear, /v1/maps/{map}:clear",
    "POST, /v1/maps/users:compact, /v1/maps/{map}:{action}",
    "GET, /v1/maps/users/entries, /v1/maps/{map}/entries",
    "GET, /v1/maps/users/entries/, /v1/maps/{map}/entries",
    "GET, /v1/maps/users/entries/alice, /v1/maps/{map}/entries/{key}",
    "PUT, /v1/maps/users/entries/a%2Fb, /v1/maps/{map}/entries/{key}",
    "GET, /v1/maps/users/entries/x:increment, /v1/maps/{map}/entries/{key}",
    "POST, /v1/maps/users/entries/x:increment, /v1/maps/{map}/entries/{key}:increment",
    "GET, /v1/maps/users/entries/a/b, other",
    "GET, /v1/maps/users/other, other",
    "GET, /v1/nothing, other",
    "GET, /, other"
  })
  void pathsMapToTheirRouteTemplate(String method, String path, String template) {
    int m = RequestObservation.methodIndex(method);
    assertEquals(template, RequestObservation.ROUTES[RequestObservation.route(path, m)]);
  }

  @Test
  void mapLabelsStopAtTheCap() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RequestObservation observation = new RequestObservation(registry);
    for (int i = 0; i < RequestObservation.MAX_MAPS + 20; i++) {
      observation.observed(
          HttpRequest.create("/v1/maps/m" + i + "/entries/k").withMethod(HttpMethods.GET),
          HttpResponse.create().withStatus(StatusCodes.NOT_FOUND),
          System.nanoTime(),
          "id");
    }
    observation.observed(
        HttpRequest.create("/v1/maps/Not%20valid/entries/k").withMethod(HttpMethods.GET),
        HttpResponse.create().withStatus(StatusCodes.BAD_REQUEST),
        System.nanoTime(),
        "id");
    Set<String> maps = new HashSet<>();
    registry
        .find("actorgrid.http.map.requests")
        .counters()
        .forEach(c -> maps.add(c.getId().getTag("map")));
    assertEquals(RequestObservation.MAX_MAPS + 1, maps.size(), maps::toString);
    assertTrue(maps.contains(RequestObservation.OTHER_MAP));
    assertEquals(
        21.0,
        registry
            .get("actorgrid.http.map.requests")
            .tags("map", RequestObservation.OTHER_MAP, "method", "GET")
            .counter()
            .count());
    // One timer per route, method and status, whatever the keys and maps.
    assertEquals(2, registry.find("actorgrid.http.requests").timers().size());
  }
}
