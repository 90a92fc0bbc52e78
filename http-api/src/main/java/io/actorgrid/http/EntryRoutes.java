package io.actorgrid.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.actorgrid.grid.Entry;
import io.actorgrid.grid.Grid;
import io.actorgrid.grid.GridMap;
import io.actorgrid.grid.HistoryItem;
import io.actorgrid.grid.InvalidRequestException;
import io.actorgrid.http.wire.CounterReply;
import io.actorgrid.http.wire.WriteReply;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Single records, {@code /v1/maps/{map}/entries/{key}}: GET and HEAD read one, PUT writes it,
 * DELETE removes it, PATCH merges a JSON merge patch into it, and {@code POST ...:increment} adds
 * to a counter. The key's partition decides the writes to one key one at a time, so each answers a
 * version of its own, higher than the one before (see {@link GridMap}).
 */
final class EntryRoutes extends AllDirectives {
  private final Grid grid;
  private final Problems problems;
  private final Responses responses;
  private final Bodies bodies;
  private final WriteRequests writes;

  EntryRoutes(RouteHelpers helpers) {
    this.grid = helpers.grid();
    this.problems = helpers.problems();
    this.responses = helpers.responses();
    this.bodies = helpers.bodies();
    this.writes = helpers.writes();
  }

  Route route() {
    return MapPaths.map(
        mapName ->
            pathPrefix(
                "entries",
                () ->
                    path(
                        PathMatchers.segment(),
                        key ->
                            concat(
                                get(() -> read(mapName, key)),
                                head(() -> read(mapName, key)),
                                put(() -> write(mapName, key)),
                                delete(() -> remove(mapName, key)),
                                patch(() -> patchEntry(mapName, key)),
                                post(() -> increment(mapName, key))))));
  }

  private Route read(String mapName, String key) {
    return parameterOptional(
        "version",
        version ->
            parameterOptional(
                "asOf",
                asOf ->
                    version.isPresent() || asOf.isPresent()
                        ? readPast(mapName, key, version, asOf)
                        : readCurrent(mapName, key)));
  }

  /**
   * {@code ?version=N}: the value version N left (404 when N is not a version of the key, or
   * removed it); {@code ?asOf=<RFC 3339>}: the record as it was at that instant (404 when it did
   * not exist then). Both answer the version read as ETag.
   */
  private Route readPast(
      String mapName, String key, Optional<String> version, Optional<String> asOf) {
    return responses.respond(
        () -> {
          if (version.isPresent() && asOf.isPresent()) {
            throw new InvalidRequestException(
                "pass either version or asOf, not both: a version already names one moment");
          }
          GridMap map = grid.map(mapName);
          if (version.isPresent()) {
            long n = QueryParams.positiveLong("version", version).orElseThrow();
            return map.getVersion(key, n)
                .thenApply(
                    item -> {
                      if (item.isEmpty()) {
                        return problems.problem(
                            404,
                            "Not found",
                            "version "
                                + n
                                + " is not a version of key '"
                                + key
                                + "' in map '"
                                + mapName
                                + "' (or history retention removed it)");
                      }
                      if (!item.get().leftValue()) {
                        return problems.problem(
                            404, "Not found", removal(key, item.get()) + " at version " + n);
                      }
                      return pastValue(item.get());
                    });
          }
          Instant instant = QueryParams.instantParam("asOf", asOf).orElseThrow();
          return map.getAsOf(key, instant)
              .thenApply(
                  item -> {
                    if (item.isPresent() && item.get().existedAt(instant)) {
                      return pastValue(item.get());
                    }
                    String detail =
                        "map '" + mapName + "' had no entry with key '" + key + "' at " + instant;
                    if (item.isPresent()) {
                      detail +=
                          item.get().leftValue()
                              ? ": it expired at " + item.get().expiresAt()
                              : ": "
                                  + removal(key, item.get())
                                  + " at version "
                                  + item.get().version();
                    }
                    return problems.problem(404, "Not found", detail);
                  });
        });
  }

  private static String removal(String key, HistoryItem item) {
    String how =
        switch (item.op()) {
          case "expire" -> "expired";
          case "clear" -> "removed by a clear of its map";
          default -> "deleted";
        };
    return "key '" + key + "' was " + how + " (" + item.time() + ")";
  }

  private static HttpResponse pastValue(HistoryItem item) {
    HttpResponse response =
        HttpResponse.create()
            .withEntity(
                HttpEntities.create(StoredValues.contentType(item.contentType()), item.value()))
            .addHeader(ETags.header(item.version()));
    return item.expiresAt() == null
        ? response
        : response.addHeader(RawHeader.create("Grid-Expires-At", item.expiresAt().toString()));
  }

  private Route readCurrent(String mapName, String key) {
    return optionalHeaderValueByName(
        "If-None-Match",
        ifNoneMatch ->
            responses.respond(
                () ->
                    grid.map(mapName)
                        .get(key)
                        .thenApply(
                            entry -> {
                              if (entry.isEmpty()) {
                                return notFound(mapName, key);
                              }
                              Entry e = entry.get();
                              HttpResponse response =
                                  ifNoneMatch.isPresent()
                                          && ETags.noneMatchHits(ifNoneMatch.get(), e.version())
                                      ? HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED)
                                      : HttpResponse.create()
                                          .withEntity(
                                              HttpEntities.create(
                                                  StoredValues.contentType(e.contentType()),
                                                  e.value()));
                              response = response.addHeader(ETags.header(e.version()));
                              return e.expiresAt() == null
                                  ? response
                                  : response.addHeader(
                                      RawHeader.create(
                                          "Grid-Expires-At", e.expiresAt().toString()));
                            })));
  }

  private Route write(String mapName, String key) {
    return writes.withBody(
        true,
        true,
        (options, entity) -> {
          GridMap map = grid.map(mapName);
          ContentType type = entity.getContentType();
          return bodies.withValue(
              entity,
              body -> {
                bodies.checkJson(type, body);
                return map.put(key, body, type.toString(), options)
                    .thenApply(
                        result -> {
                          HttpResponse response =
                              writeReply(
                                  result.created() ? 201 : 200, mapName, key, result.version());
                          return result.created()
                              ? response.addHeader(Location.create(entryPath(mapName, key)))
                              : response;
                        });
              });
        });
  }

  /** {"map","key","version"} with the version as ETag. */
  private HttpResponse writeReply(int status, String map, String key, long version) {
    return responses
        .json(status, responses.toJson(new WriteReply(map, key, version)))
        .addHeader(ETags.header(version));
  }

  private static String entryPath(String map, String key) {
    return "/v1/maps/"
        + map
        + "/entries/"
        + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private Route remove(String mapName, String key) {
    return writes.options(
        false,
        false,
        options ->
            responses.respond(
                () ->
                    grid.map(mapName)
                        .delete(key, options)
                        .thenApply(
                            deleted ->
                                deleted
                                    ? HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
                                    : notFound(mapName, key))));
  }

  private Route patchEntry(String mapName, String key) {
    return writes.withBody(
        false,
        false,
        (options, entity) -> {
          GridMap map = grid.map(mapName);
          MediaType media = entity.getContentType().mediaType();
          if (!(media.mainType().equals("application")
              && media.subType().equals("merge-patch+json"))) {
            return CompletableFuture.completedFuture(
                problems.problem(
                    415,
                    "Unsupported media type",
                    "PATCH takes a JSON merge patch (RFC 7396): send it with"
                        + " Content-Type: application/merge-patch+json, was "
                        + entity.getContentType()));
          }
          return bodies.withValue(
              entity,
              body ->
                  map.patch(key, body, options)
                      .thenApply(result -> writeReply(200, mapName, key, result.version())));
        });
  }

  /** POST .../entries/{key}:increment with an optional {"delta": n} (default 1). */
  private Route increment(String mapName, String target) {
    String suffix = ":increment";
    if (!target.endsWith(suffix) || target.length() == suffix.length()) {
      return complete(
          problems
              .problem(
                  405,
                  "Method not allowed",
                  "POST on an entry needs an action: POST .../entries/{key}:increment")
              .addHeader(
                  Allow.create(
                      HttpMethods.GET,
                      HttpMethods.HEAD,
                      HttpMethods.PUT,
                      HttpMethods.DELETE,
                      HttpMethods.PATCH)));
    }
    String key = target.substring(0, target.length() - suffix.length());
    return writes.withBody(
        false,
        true,
        (options, entity) ->
            bodies.withValue(
                entity,
                body ->
                    grid.map(mapName)
                        .increment(key, delta(entity, body), options)
                        .thenApply(
                            counter ->
                                responses
                                    .json(
                                        counter.created() ? 201 : 200,
                                        responses.toJson(
                                            new CounterReply(
                                                mapName, key, counter.value(), counter.version())))
                                    .addHeader(ETags.header(counter.version())))));
  }

  private long delta(HttpEntity entity, byte[] body) {
    if (body.length == 0) {
      return 1;
    }
    JsonNode node = bodies.json(entity.getContentType(), body, "{\"delta\": 5}");
    JsonNode delta = node.get("delta");
    if (!node.isObject()
        || node.size() != 1
        || delta == null
        || !delta.isIntegralNumber()
        || !delta.canConvertToLong()) {
      throw new InvalidRequestException(
          "the body must be {\"delta\": <whole number>} (a 64-bit integer, may be negative),"
              + " or empty for a delta of 1");
    }
    return delta.longValue();
  }

  private HttpResponse notFound(String map, String key) {
    return problems.problem(
        404, "Not found", "map '" + map + "' has no entry with key '" + key + "'");
  }
}
