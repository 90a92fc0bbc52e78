package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_35_0.Metrics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/*
 * GET /metrics of a real node, read as Prometheus reads it. The Prometheus Java client has no
 * parser for the text format (only writers), so scrapes ask for Prometheus's protobuf exposition
 * and parse it with the client's generated MetricFamily classes; the text format is checked against
 * those figures for the lines that matter. Tests compare figures before and after the traffic they
 * send, on maps of their own.
 */
class MetricsRoutesTest extends RouteTestSupport {
  private static final String PROTOBUF =
      "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";
  private static final String ENTRY_ROUTE = "/v1/maps/{map}/entries/{key}";

  @Test
  void requestsAreCountedByRouteMethodAndStatus() throws Exception {
    Scrape before = scrape();
    for (int i = 0; i < 7; i++) {
      assertEquals(201, put("metrics-puts", "k" + i, "v", "text/plain").statusCode());
    }
    assertProblem(get(entry("metrics-puts", "absent")), 404);
    Scrape after = scrape();

    String requests = "actorgrid_http_requests_seconds";
    Map<String, String> puts = Map.of("route", ENTRY_ROUTE, "method", "PUT", "status", "201");
    assertEquals(7, after.count(requests, puts) - before.count(requests, puts));
    assertEquals(
        7,
        after.bucket(requests, puts, Double.POSITIVE_INFINITY)
            - before.bucket(requests, puts, Double.POSITIVE_INFINITY));
    Map<String, String> notFound = Map.of("route", ENTRY_ROUTE, "method", "GET", "status", "404");
    assertEquals(1, after.count(requests, notFound) - before.count(requests, notFound));
    assertTrue(after.sum(requests, puts) > before.sum(requests, puts));

    Map<String, String> map = Map.of("map", "metrics-puts", "method", "PUT");
    assertEquals(
        7,
        after.value("actorgrid_http_map_requests_total", map)
            - before.value("actorgrid_http_map_requests_total", map));

    // Seven PUTs one after another: seven journal writes of one event each.
    assertEquals(
        7,
        after.count("actorgrid_journal_write_seconds", Map.of())
            - before.count("actorgrid_journal_write_seconds", Map.of()));
    assertEquals(
        7.0,
        after.sum("actorgrid_journal_write_events", Map.of())
            - before.sum("actorgrid_journal_write_events", Map.of()));

    // The default journal, RocksDB: its group commits carried (at least) those seven writes.
    String requestsCommitted = "actorgrid_rocksdb_commit_requests_total";
    double committed =
        after.value(requestsCommitted, Map.of()) - before.value(requestsCommitted, Map.of());
    assertTrue(committed >= 7, () -> committed + " " + after.families.keySet());
    assertTrue(
        after.value("actorgrid_rocksdb_commits_total", Map.of())
            > before.value("actorgrid_rocksdb_commits_total", Map.of()));
    assertEquals(
        256.0 * 1024 * 1024, after.value("actorgrid_rocksdb_memory_budget_bytes", Map.of()));
    assertTrue(after.value("actorgrid_rocksdb_memory_bytes", Map.of()) > 0);
    assertTrue(after.value("actorgrid_rocksdb_table_bytes", Map.of()) >= 0);
  }

  @Test
  void nodeAndClusterFiguresAreExposed() throws Exception {
    Scrape now = scrape();
    assertEquals(PARTITIONS, now.value("actorgrid_partitions_hosted", Map.of()));
    assertTrue(now.count("actorgrid_partition_recovery_seconds", Map.of()) >= PARTITIONS);
    assertEquals(1, now.value("actorgrid_cluster_members", Map.of("status", "up")));
    assertEquals(0, now.value("actorgrid_cluster_members", Map.of("status", "down")));
    assertEquals(0, now.value("actorgrid_cluster_unreachable_members", Map.of()));
    assertEquals(0, now.value("actorgrid_unavailable_total", Map.of("cause", "timeout")));
    assertTrue(
        now.total("actorgrid_jvm_memory_used_bytes", Map.of("area", "heap")) > 0,
        () -> now.families.keySet().toString());
    assertTrue(
        now.families.containsKey("actorgrid_jvm_gc_pause_seconds")
            || now.families.containsKey("actorgrid_jvm_gc_memory_allocated_bytes_total"),
        now.families::toString);
    assertTrue(now.families.containsKey("actorgrid_jvm_threads_live_threads"));
    assertTrue(now.families.containsKey("actorgrid_system_cpu_count"));
    for (String name : now.families.keySet()) {
      assertTrue(name.startsWith("actorgrid_"), name);
    }
  }

  @Test
  void idempotencyKeysAndExpiredRecordsAreCounted() throws Exception {
    Scrape before = scrape();
    assertEquals(
        201,
        put("metrics-keys", "k", "v", "text/plain", "Idempotency-Key", "metrics-key-1")
            .statusCode());
    assertEquals(
        before.value("actorgrid_idempotency_keys", Map.of()) + 1,
        scrape().value("actorgrid_idempotency_keys", Map.of()));

    var expiring =
        send(
            request(URI.create(entry("metrics-ttl", "k") + "?ttl=1ms"))
                .header("Content-Type", "text/plain")
                .PUT(BodyPublishers.ofString("gone soon")));
    assertEquals(201, expiring.statusCode());
    double expiredBefore = before.value("actorgrid_records_expired_total", Map.of());
    awaitScrape(s -> s.value("actorgrid_records_expired_total", Map.of()) >= expiredBefore + 1);
  }

  @Test
  void everyResponseHasItsOwnRequestId() throws Exception {
    var first = get(URI.create(base + "/health/live"));
    var second = get(entry("metrics-ids", "absent"));
    assertNotNull(header(first, "Request-Id"));
    assertNotNull(header(second, "Request-Id"));
    assertNotEquals(header(first, "Request-Id"), header(second, "Request-Id"));
  }

  @Test
  void theTextFormatCarriesTheSameFigures() throws Exception {
    put("metrics-text", "k", "v", "text/plain");
    var text = get(URI.create(base + "/metrics"));
    assertEquals(200, text.statusCode());
    assertEquals(
        "text/plain; version=0.0.4; charset=utf-8",
        header(text, "Content-Type").toLowerCase(java.util.Locale.ROOT));
    Scrape proto = scrape();
    String body = new String(text.body(), UTF_8);
    assertTrue(body.contains("# TYPE actorgrid_http_requests_seconds histogram"), body);
    Map<String, String> puts = Map.of("route", ENTRY_ROUTE, "method", "PUT", "status", "201");
    Matcher line =
        Pattern.compile(
                "^actorgrid_http_requests_seconds_count\\{method=\"PUT\","
                    + "route=\"/v1/maps/\\{map}/entries/\\{key}\",status=\"201\"} (\\S+)$",
                Pattern.MULTILINE)
            .matcher(body);
    assertTrue(line.find(), body);
    // The protobuf scrape came later and counts the text scrape's request too, not this route.
    assertEquals(
        proto.count("actorgrid_http_requests_seconds", puts), Double.parseDouble(line.group(1)));
  }

  // ---------------------------------------------------------------------------------------------

  private static Scrape scrape() throws IOException, InterruptedException {
    HttpResponse<byte[]> reply = get(URI.create(base + "/metrics"), "Accept", PROTOBUF);
    assertEquals(200, reply.statusCode(), () -> text(reply));
    assertTrue(header(reply, "Content-Type").startsWith("application/vnd.google.protobuf"));
    return new Scrape(reply.body());
  }

  private static Scrape awaitScrape(Predicate<Scrape> condition) throws Exception {
    long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
    Scrape last = scrape();
    while (!condition.test(last)) {
      assertTrue(System.nanoTime() < deadline, "the metrics never reached the expected values");
      Thread.sleep(100);
      last = scrape();
    }
    return last;
  }

  /** One scrape, parsed: metric families by name. */
  private static final class Scrape {
    final Map<String, Metrics.MetricFamily> families = new TreeMap<>();

    Scrape(byte[] body) throws IOException {
      InputStream in = new ByteArrayInputStream(body);
      Metrics.MetricFamily family;
      while ((family = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
        families.put(family.getName(), family);
      }
    }

    /** The metric of that family whose labels include {@code labels}; null when none. */
    Metrics.Metric metric(String name, Map<String, String> labels) {
      Metrics.MetricFamily family = families.get(name);
      if (family == null) {
        return null;
      }
      for (Metrics.Metric m : family.getMetricList()) {
        Map<String, String> have = new HashMap<>();
        m.getLabelList().forEach(l -> have.put(l.getName(), l.getValue()));
        if (have.entrySet().containsAll(labels.entrySet())) {
          return m;
        }
      }
      return null;
    }

    /** A counter's or gauge's value; 0 when the series does not exist yet. */
    double value(String name, Map<String, String> labels) {
      Metrics.Metric m = metric(name, labels);
      if (m == null) {
        return 0;
      }
      return m.hasCounter() ? m.getCounter().getValue() : m.getGauge().getValue();
    }

    /** The sum of the gauges of that family whose labels include {@code labels}. */
    double total(String name, Map<String, String> labels) {
      Metrics.MetricFamily family = families.get(name);
      double total = 0;
      for (Metrics.Metric m :
          family == null ? java.util.List.<Metrics.Metric>of() : family.getMetricList()) {
        Map<String, String> have = new HashMap<>();
        m.getLabelList().forEach(l -> have.put(l.getName(), l.getValue()));
        if (have.entrySet().containsAll(labels.entrySet())) {
          total += m.getGauge().getValue();
        }
      }
      return total;
    }

    long count(String name, Map<String, String> labels) {
      Metrics.Metric m = metric(name, labels);
      return m == null ? 0 : m.getHistogram().getSampleCount();
    }

    double sum(String name, Map<String, String> labels) {
      Metrics.Metric m = metric(name, labels);
      return m == null ? 0 : m.getHistogram().getSampleSum();
    }

    long bucket(String name, Map<String, String> labels, double upperBound) {
      Metrics.Metric m = metric(name, labels);
      if (m == null) {
        return 0;
      }
      if (upperBound == Double.POSITIVE_INFINITY) {
        return m.getHistogram().getSampleCount();
      }
      return m.getHistogram().getBucketList().stream()
          .filter(b -> b.getUpperBound() == upperBound)
          .findFirst()
          .orElseThrow()
          .getCumulativeCount();
    }
  }
}
