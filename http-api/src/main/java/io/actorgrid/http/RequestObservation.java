package io.actorgrid.http;

import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.mapResponse;

import io.actorgrid.grid.GridLimits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/*
 * What every HTTP request leaves behind: a Request-Id response header, a sample in the request
 * timer (by route template, method and status), a count by map, and for a 5xx one log line with
 * what happened, logged here and nowhere else so that each such response is logged once.
 *
 * Labels stay bounded: the route is the template the path matches (never the path: keys would
 * make every request a new series), the map label takes the first MAX_MAPS map names seen and
 * then "_other" (a name no map can have), and meters are resolved once per label combination
 * and kept in arrays indexed by route, method and status, so a request costs array reads and a
 * timer record, no meter lookup.
 */
final class RequestObservation {
  private static final Logger log = LoggerFactory.getLogger(RequestObservation.class);

  /** A 500's unexpected failure, carried from {@link Problems} to the one log line here. */
  static final AttributeKey<Throwable> FAILURE = AttributeKey.create("failure", Throwable.class);

  static final String REQUEST_ID = "Request-Id";

  /** The MDC key of the request id, in the JSON log's {@code requestId} field. */
  static final String REQUEST_ID_MDC = "requestId";

  /** Most distinct map label values; later maps are counted as {@link #OTHER_MAP}. */
  static final int MAX_MAPS = 100;

  static final String OTHER_MAP = "_other";

  static final String[] ROUTES = {
    "other",
    "/health/live",
    "/health/ready",
    "/metrics",
    "/v1/cluster",
    "/v1/openapi.json",
    "/v1/maps",
    "/v1/maps/{map}",
    "/v1/maps/{map}:batch",
    "/v1/maps/{map}:clear",
    "/v1/maps/{map}:{action}",
    "/v1/maps/{map}/entries",
    "/v1/maps/{map}/entries/{key}",
    "/v1/maps/{map}/entries/{key}:increment",
    "/v1/changes",
    "/v1/maps/{map}/changes",
    "/v1/maps/{map}/entries/{key}/history"
  };

  private static final int OTHER = 0;
  private static final int MAPS = 6;
  private static final int MAP = 7;
  private static final int BATCH = 8;
  private static final int CLEAR = 9;
  private static final int ACTION = 10;
  private static final int ENTRIES = 11;
  private static final int ENTRY = 12;
  private static final int INCREMENT = 13;
  private static final int CHANGES = 14;
  private static final int MAP_CHANGES = 15;
  private static final int HISTORY = 16;

  private static final String[] METHODS = {
    "GET", "HEAD", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "other"
  };
  private static final int MIN_STATUS = 100;
  private static final int STATUSES = 500;
  private static final String MAPS_PREFIX = "/v1/maps/";
  private static final Pattern MAP_NAME = Pattern.compile(GridLimits.MAP_NAME_PATTERN);

  private static final Duration[] BUCKETS = {
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60)
  };

  private static final com.fasterxml.jackson.databind.ObjectMapper PROBLEM_READER =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final MeterRegistry registry;
  // [route * METHODS.length + method] -> timers by status - MIN_STATUS, filled on first use.
  private final AtomicReferenceArray<AtomicReferenceArray<Timer>> timers =
      new AtomicReferenceArray<>(ROUTES.length * METHODS.length);
  // Map label -> a counter per method.
  private final ConcurrentHashMap<String, Counter[]> mapCounters = new ConcurrentHashMap<>();
  private final String idPrefix =
      Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 45), 36) + "-";
  private final AtomicLong nextId = new AtomicLong();

  RequestObservation(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The route, observed. */
  Route observe(Route inner) {
    return extractRequest(
        request -> {
          long start = System.nanoTime();
          String id = idPrefix + Long.toString(nextId.incrementAndGet(), 36);
          return mapResponse(response -> observed(request, response, start, id), () -> inner);
        });
  }

  HttpResponse observed(HttpRequest request, HttpResponse response, long start, String id) {
    long nanos = System.nanoTime() - start;
    String path = request.getUri().path();
    int method = methodIndex(request.method().value());
    int status = response.status().intValue();
    int route = route(path, method);
    timer(route, method, status).record(nanos, TimeUnit.NANOSECONDS);
    if (route >= MAP && route != CHANGES) {
      mapCounter(mapLabel(path), method).increment();
    }
    if (status >= 500) {
      logServerError(request, response, route, status, id);
    }
    return response.addHeader(RawHeader.create(REQUEST_ID, id));
  }

  private void logServerError(
      HttpRequest request, HttpResponse response, int route, int status, String id) {
    String detail = response.status().reason();
    if (response.entity() instanceof HttpEntity.Strict strict) {
      detail = strict.getData().decodeString(StandardCharsets.UTF_8);
      if (strict.getContentType().equals(Problems.PROBLEM_JSON)) {
        try {
          detail = PROBLEM_READER.readTree(detail).path("detail").asText(detail);
        } catch (java.io.IOException e) {
          // not a problem document after all: log the body as it is
        }
      }
    }
    MDC.put(REQUEST_ID_MDC, id);
    try {
      Throwable failure = response.getAttribute(FAILURE).orElse(null);
      String format = "{} {} (route {}) answered {}, request {}: {}";
      Object[] args = {
        request.method().value(), request.getUri().path(), ROUTES[route], status, id, detail
      };
      if (failure != null) {
        log.error(format, append(args, failure));
      } else {
        log.warn(format, args);
      }
    } finally {
      MDC.remove(REQUEST_ID_MDC);
    }
  }

  private static Object[] append(Object[] args, Object last) {
    Object[] out = java.util.Arrays.copyOf(args, args.length + 1);
    out[args.length] = last;
    return out;
  }

  private Timer timer(int route, int method, int status) {
    int slot = status - MIN_STATUS;
    if (slot < 0 || slot >= STATUSES) {
      return newTimer(route, method, status);
    }
    int row = route * METHODS.length + method;
    AtomicReferenceArray<Timer> byStatus = timers.get(row);
    if (byStatus == null) {
      timers.compareAndSet(row, null, new AtomicReferenceArray<>(STATUSES));
      byStatus = timers.get(row);
    }
    Timer timer = byStatus.get(slot);
    if (timer == null) {
      // Registering the same id twice returns the same timer, so a race here is harmless.
      timer = newTimer(route, method, status);
      byStatus.set(slot, timer);
    }
    return timer;
  }

  private Timer newTimer(int route, int method, int status) {
    return Timer.builder("actorgrid.http.requests")
        .description("HTTP requests by route template, method and status, with their latency")
        .tag("route", ROUTES[route])
        .tag("method", METHODS[method])
        .tag("status", Integer.toString(status))
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
  }

  private Counter mapCounter(String map, int method) {
    // An empty map segment (/v1/maps//entries) has no label: ConcurrentHashMap takes no null key.
    Counter[] counters = map == null ? null : mapCounters.get(map);
    if (counters == null) {
      String label = map;
      if (map == null || mapCounters.size() >= MAX_MAPS || !MAP_NAME.matcher(map).matches()) {
        label = OTHER_MAP;
      }
      counters = mapCounters.computeIfAbsent(label, this::newMapCounters);
    }
    return counters[method];
  }

  private Counter[] newMapCounters(String map) {
    Counter[] counters = new Counter[METHODS.length];
    for (int m = 0; m < METHODS.length; m++) {
      counters[m] =
          Counter.builder("actorgrid.http.map.requests")
              .description(
                  "HTTP requests by map (the first "
                      + MAX_MAPS
                      + " maps seen; later ones as "
                      + OTHER_MAP
                      + ") and method")
              .tag("map", map)
              .tag("method", METHODS[m])
              .register(registry);
    }
    return counters;
  }

  static int methodIndex(String method) {
    for (int i = 0; i < METHODS.length - 1; i++) {
      if (METHODS[i].equals(method)) {
        return i;
      }
    }
    return METHODS.length - 1;
  }

  /** The map segment of a path under /v1/maps/, without an action; null when it has none. */
  static String mapLabel(String path) {
    if (!path.startsWith(MAPS_PREFIX)) {
      return null;
    }
    int end = path.length();
    for (int i = MAPS_PREFIX.length(); i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '/' || c == ':') {
        end = i;
        break;
      }
    }
    return end == MAPS_PREFIX.length() ? null : path.substring(MAPS_PREFIX.length(), end);
  }

  /** The index in {@link #ROUTES} of the template the path matches. */
  static int route(String path, int method) {
    int length = path.length();
    if (length > 1 && path.charAt(length - 1) == '/') {
      length--; // the routes that end in a path end accept one trailing slash
    }
    if (!path.startsWith(MAPS_PREFIX) || length <= MAPS_PREFIX.length()) {
      String p = path.substring(0, length);
      return switch (p) {
        case "/health/live" -> 1;
        case "/health/ready" -> 2;
        case "/metrics" -> 3;
        case "/v1/cluster" -> 4;
        case "/v1/openapi.json" -> 5;
        case "/v1/maps" -> MAPS;
        case "/v1/changes" -> CHANGES;
        default -> OTHER;
      };
    }
    int slash = path.indexOf('/', MAPS_PREFIX.length());
    if (slash < 0 || slash >= length) {
      int colon = path.indexOf(':', MAPS_PREFIX.length());
      if (colon < 0 || colon >= length) {
        return MAP;
      }
      String action = path.substring(colon + 1, length);
      return action.equals("batch") ? BATCH : action.equals("clear") ? CLEAR : ACTION;
    }
    if (path.indexOf(':', MAPS_PREFIX.length()) >= 0
        && path.indexOf(':', MAPS_PREFIX.length()) < slash) {
      return OTHER;
    }
    String rest = path.substring(slash + 1, length);
    if (rest.equals("entries")) {
      return ENTRIES;
    }
    if (rest.equals("changes")) {
      return MAP_CHANGES;
    }
    if (!rest.startsWith("entries/")) {
      return OTHER;
    }
    int keyEnd = rest.indexOf('/', "entries/".length());
    if (keyEnd >= 0) {
      return rest.substring(keyEnd).equals("/history") && keyEnd > "entries/".length()
          ? HISTORY
          : OTHER;
    }
    return METHODS[method].equals("POST") && rest.endsWith(":increment") ? INCREMENT : ENTRY;
  }
}
