package io.actorgrid.jmh;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/*
 * The check a PUT with a JSON content type goes through (Bodies.checkJson, which is package-private:
 * this is the same code). `readTree` is what the routes do today: build a tree and drop it.
 * `streaming` reads the same tokens without building anything: one root value, then end of
 * input. Setup runs both over a set of bad bodies and prints where their verdicts differ, so the
 * choice between them is made on behaviour as well as speed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class JsonValidationBenchmark {
  // As GridRoutes configures it.
  private final ObjectMapper mapper =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final JsonFactory factory = mapper.getFactory();
  private byte[] body;

  @Setup
  public void setUp() throws IOException {
    body = document(1024);
    if (body.length != 1024 || !readTree(body) || !streaming(body)) {
      throw new IllegalStateException("the 1 KiB document is not valid JSON of 1024 bytes");
    }
    Map<String, byte[]> cases = new LinkedHashMap<>();
    String[][] texts = {
      {"empty", ""},
      {"whitespace only", "  \n"},
      {"truncated", "{\"a\":[1,2"},
      {"two values", "{} {}"},
      {"trailing garbage", "{\"a\":1}x"},
      {"trailing comma", "[1,2,]"},
      {"bad escape", "\"\\q\""},
      {"raw control char", "\"a\u0001b\""},
      {"leading zero", "012"},
      {"NaN", "NaN"},
      {"single quotes", "{'a':1}"},
      {"duplicate key", "{\"a\":1,\"a\":2}"},
      {"scalar", "42"},
    };
    for (String[] t : texts) {
      cases.put(t[0], t[1].getBytes(StandardCharsets.UTF_8));
    }
    cases.put("invalid UTF-8", new byte[] {'"', (byte) 0xC3, (byte) 0x28, '"'});
    StringBuilder report =
        new StringBuilder("\nJSON validation verdicts (readTree / streaming):\n");
    for (var c : cases.entrySet()) {
      boolean tree = valid(() -> readTree(c.getValue()));
      boolean stream = valid(() -> streaming(c.getValue()));
      report.append(
          String.format(
              "  %-17s %-7s / %-7s%s%n",
              c.getKey(),
              tree ? "valid" : "invalid",
              stream ? "valid" : "invalid",
              tree == stream ? "" : "   <- differ"));
    }
    System.out.print(report);
  }

  private interface Check {
    boolean run() throws IOException;
  }

  private static boolean valid(Check check) {
    try {
      return check.run();
    } catch (IOException e) {
      return false;
    }
  }

  /** GridRoutes' check: the body is valid unless readTree throws or finds no content. */
  private boolean readTree(byte[] bytes) throws IOException {
    JsonNode tree = mapper.readTree(bytes);
    return tree != null && bytes.length > 0;
  }

  /** One root value and nothing after it, read token by token. */
  private boolean streaming(byte[] bytes) throws IOException {
    try (JsonParser parser = factory.createParser(bytes)) {
      if (parser.nextToken() == null) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    }
  }

  @Benchmark
  public boolean readTree() throws IOException {
    return readTree(body);
  }

  @Benchmark
  public boolean streaming() throws IOException {
    return streaming(body);
  }

  /** A plausible record document of exactly {@code size} bytes: nesting, numbers, escapes. */
  static byte[] document(int size) {
    StringBuilder history = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      if (i > 0) {
        history.append(',');
      }
      history.append(
          String.format(
              "{\"at\":%d,\"event\":\"%s\",\"ok\":%b,\"latencyMs\":%.3f}",
              1_700_000_000_000L + i * 60_000L,
              i % 2 == 0 ? "login" : "purchase",
              i != 3,
              12.5 * i));
    }
    String template =
        "{\"id\":\"user-000042\",\"name\":\"Ada Lovelace\",\"email\":\"ada@example.org\","
            + "\"active\":true,\"score\":1234.5,\"tags\":[\"alpha\",\"beta\",\"gamma\"],"
            + "\"address\":{\"street\":\"12 Analytical Engine Way\",\"city\":\"London\","
            + "\"zip\":\"NW1 2AB\",\"geo\":{\"lat\":51.5237,\"lon\":-0.1585}},"
            + "\"bio\":\"Wrote \\\"notes\\\" on the engine\\nin 1843 \\u2014 the first program.\","
            + "\"history\":["
            + history
            + "],\"notes\":\"%s\"}";
    int padding = size - String.format(template, "").getBytes(StandardCharsets.UTF_8).length;
    if (padding < 0) {
      throw new IllegalArgumentException("the template alone exceeds " + size + " bytes");
    }
    StringBuilder notes = new StringBuilder();
    for (int i = 0; notes.length() < padding; i++) {
      notes.append((char) ('a' + i % 26));
    }
    return String.format(template, notes).getBytes(StandardCharsets.UTF_8);
  }
}
