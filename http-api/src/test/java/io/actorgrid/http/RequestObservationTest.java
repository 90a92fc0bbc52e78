package io.actorgrid.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

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
    "GET, /v1/maps/users/entries/alice/history, /v1/maps/{map}/entries/{key}/history",
    "GET, /v1/maps/users/entries//history, other",
    "GET, /v1/maps/users/other, other",
    "GET, /v1/changes, /v1/changes",
    "GET, /v1/maps/users/changes, /v1/maps/{map}/changes",
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

  @Test
  void aServerErrorIsLoggedOnceWithItsRouteStatusDetailAndRequestId() {
    Problems problems = new Problems(new ObjectMapper());
    List<ILoggingEvent> logged =
        capture(
            observation -> {
              observation.observed(
                  HttpRequest.create("/v1/maps/users/entries/alice").withMethod(HttpMethods.PUT),
                  problems.problem(503, "Service unavailable", "partition 7 did not answer"),
                  System.nanoTime(),
                  "req-1");
              observation.observed(
                  HttpRequest.create("/v1/maps/users/entries/bob").withMethod(HttpMethods.GET),
                  problems.forFailure(new IllegalStateException("a bug"), 1024),
                  System.nanoTime(),
                  "req-2");
              observation.observed(
                  HttpRequest.create("/v1/maps/users/entries/carol").withMethod(HttpMethods.GET),
                  problems.problem(404, "Not found", "no carol"),
                  System.nanoTime(),
                  "req-3");
            });
    assertEquals(2, logged.size(), logged::toString);
    ILoggingEvent unavailable = logged.get(0);
    assertEquals(Level.WARN, unavailable.getLevel());
    assertEquals(
        "PUT /v1/maps/users/entries/alice (route /v1/maps/{map}/entries/{key}) answered 503,"
            + " request req-1: partition 7 did not answer",
        unavailable.getFormattedMessage());
    assertEquals("req-1", unavailable.getMDCPropertyMap().get(RequestObservation.REQUEST_ID_MDC));
    ILoggingEvent bug = logged.get(1);
    assertEquals(Level.ERROR, bug.getLevel());
    assertEquals("a bug", bug.getThrowableProxy().getMessage());
    assertEquals("req-2", bug.getMDCPropertyMap().get(RequestObservation.REQUEST_ID_MDC));
  }

  private static List<ILoggingEvent> capture(
      java.util.function.Consumer<RequestObservation> action) {
    Logger logger = (Logger) LoggerFactory.getLogger(RequestObservation.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      action.accept(new RequestObservation(new SimpleMeterRegistry()));
    } finally {
      logger.detachAppender(appender);
    }
    return appender.list;
  }
}
