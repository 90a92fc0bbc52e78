package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.LoggerContextVO;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON log format: one object per line with the fields docs/operations.md lists. */
class JsonLogEncoderTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LoggingEvent event(Map<String, String> mdc, Map<String, String> properties) {
    LoggingEvent event = new LoggingEvent();
    event.setTimeStamp(Instant.parse("2026-11-30T23:17:52.123Z").toEpochMilli());
    event.setLevel(Level.WARN);
    event.setLoggerName("io.actorgrid.http.RequestObservation");
    event.setThreadName("actorgrid-pekko.actor.default-dispatcher-5");
    event.setMessage("PUT {} answered {}: \"quoted\"\nsecond line");
    event.setArgumentArray(new Object[] {"/v1/maps/m/entries/k", 503});
    event.setMDCPropertyMap(mdc);
    event.setLoggerContextRemoteView(new LoggerContextVO("default", properties, 0));
    return event;
  }

  @Test
  void oneObjectPerLineWithTheFormattedMessage() throws Exception {
    JsonLogEncoder encoder = new JsonLogEncoder();
    byte[] bytes =
        encoder.encode(
            event(
                Map.of(RequestObservation.REQUEST_ID_MDC, "abc-1", "pekkoSource", "x"),
                Map.of("node", "127.0.0.1:2552")));
    String line = new String(bytes, UTF_8);
    assertTrue(line.endsWith("\n"), line);
    assertEquals(1, line.chars().filter(c -> c == '\n').count(), line);
    JsonNode json = JSON.readTree(line);
    assertEquals("2026-11-30T23:17:52.123Z", json.path("timestamp").asText());
    assertEquals("WARN", json.path("level").asText());
    assertEquals("io.actorgrid.http.RequestObservation", json.path("logger").asText());
    assertEquals(
        "PUT /v1/maps/m/entries/k answered 503: \"quoted\"\nsecond line",
        json.path("message").asText());
    assertEquals("127.0.0.1:2552", json.path("node").asText());
    assertEquals("abc-1", json.path("requestId").asText());
    assertEquals("x", json.path("mdc").path("pekkoSource").asText());
    assertFalse(json.has("exception"));
  }

  @Test
  void anExceptionGoesWithItsStackTrace() throws Exception {
    LoggingEvent event = event(Map.of(), Map.of());
    event.setThrowableProxy(new ThrowableProxy(new IllegalStateException("broken")));
    JsonNode json = JSON.readTree(new String(new JsonLogEncoder().encode(event), UTF_8));
    assertTrue(
        json.path("exception").asText().startsWith("java.lang.IllegalStateException: broken"),
        json::toString);
    assertFalse(json.has("node"));
    assertFalse(json.has("requestId"));
    assertFalse(json.has("mdc"));
  }
}
