package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GRID_LOG_FORMAT as logback.xml hands it to the encoder. */
class LogEncoderTest {
  private static String encode(String format) {
    LoggerContext context = new LoggerContext();
    LogEncoder encoder = new LogEncoder();
    encoder.setContext(context);
    encoder.setFormat(format);
    encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{36} - %msg%n");
    encoder.start();
    LoggingEvent event =
        new LoggingEvent(
            "fqcn",
            context.getLogger("io.actorgrid.Test"),
            Level.INFO,
            "hello {}",
            null,
            new Object[] {"world"});
    event.setMDCPropertyMap(Map.of());
    return new String(encoder.encode(event), UTF_8);
  }

  @Test
  void textLinesCarryTheDate() {
    String line = encode("text");
    assertTrue(
        line.matches(
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) INFO "
                + " io.actorgrid.Test - hello world\\n"),
        line);
  }

  @Test
  void jsonIsOneObjectPerLine() throws Exception {
    String line = encode("json");
    assertEquals("hello world", new ObjectMapper().readTree(line).path("message").asText());
  }

  @Test
  void anUnknownFormatFallsBackToText() {
    assertTrue(encode("xml").endsWith(" io.actorgrid.Test - hello world\n"));
  }
}
