package io.actorgrid.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.actorgrid.grid.BatchResult;
import io.actorgrid.grid.Entry;
import io.actorgrid.grid.Grid;
import io.actorgrid.grid.GridException;
import io.actorgrid.grid.GridMap;
import io.actorgrid.grid.InvalidRequestException;
import io.actorgrid.grid.ListQuery;
import io.actorgrid.grid.MapSettings;
import io.actorgrid.grid.Page;
import io.actorgrid.grid.ValueTooLargeException;
import io.actorgrid.grid.WriteOptions;
import io.actorgrid.http.wire.BatchReply;
import io.actorgrid.http.wire.ClearReply;
import io.actorgrid.http.wire.ClusterReply;
import io.actorgrid.http.wire.CounterReply;
import io.actorgrid.http.wire.ListReply;
import io.actorgrid.http.wire.MapReply;
import io.actorgrid.http.wire.MapsReply;
import io.actorgrid.http.wire.WriteReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharset;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The HTTP API, v1. Every route calls the embedded API ({@link Grid}, {@link GridMap}), so HTTP and
 * embedded users get the same semantics; this class only translates. Errors are problem documents
 * (see {@link Problems}); statuses follow {@link io.actorgrid.grid.GridException}.
 */
public final class GridRoutes extends AllDirectives {
  private final Grid grid;
  private final HttpSettings settings;
  private final ObjectMapper mapper;
  private final Problems problems;
  private final ActorSystem<?> system;
  private final Executor executor;

  public GridRoutes(Grid grid, HttpSettings settings) {
    this.grid = grid;
    this.settings = settings;
    // Numbers in JSON the node reads (batch values) stay exact: no rounding through doubles.
    this.mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    this.problems = new Problems(mapper);
    this.system = grid.system();
    this.executor = system.executionContext();
  }

  public Route routes() {
    return handleRejections(
        problems.rejectionHandler(),
        () ->
            concat(
                pathPrefix("health", this::health),
                pathPrefix(
                    "v1",
                    () ->
                        concat(
                            path("cluster", () -> get(this::cluster)),
                            path("openapi.json", () -> get(this::openApi)),
                            pathPrefix(
                                "maps",
                                () ->
                                    concat(
                                        pathEndOrSingleSlash(() -> get(this::listMaps)),
                                        pathPrefix(PathMatchers.segment(), this::map)))))));
  }

  /** /v1/maps/{map}..., or /v1/maps/{map}:{action}. */
  private Route map(String segment) {
    int colon = segment.indexOf(':');
    if (colon >= 0) {
      String map = segment.substring(0, colon);
      String action = segment.substring(colon + 1);
      return pathEnd(
          () ->
              post(
                  () ->
                      switch (action) {
                        case "batch" -> batch(map);
                        case "clear" -> clearMap(map);
                        default ->
                            complete(
                                problems.problem(
                                    404,
                                    "Not found",
                                    "no action '"
                                        + action
                                        + "' on maps; the actions are :batch and :clear"));
                      }));
    }
    return concat(
        pathEndOrSingleSlash(
            () ->
                concat(
                    get(() -> describeMap(segment)),
                    put(() -> configureMap(segment)),
                    delete(() -> dropMap(segment)))),
        pathPrefix("entries", () -> entries(segment)));
  }

  private Route cluster() {
    return respond(
        () ->
            grid.cluster()
                .thenApply(
                    view ->
                        json(
                            200,
                            toJson(
                                new ClusterReply(
                                    view.self(),
                                    view.leader(),
                                    view.members().stream()
                                        .map(
                                            m ->
                                                new ClusterReply.Member(
                                                    m.address(),
                                                    m.status(),
                                                    m.roles().stream().sorted().toList(),
                                                    m.reachable()))
                                        .toList(),
                                    view.partitions())))));
  }

  private Route health() {
    return concat(
        path("live", () -> get(() -> complete(json(200, "{\"status\":\"live\"}")))),
        path(
            "ready",
            () ->
                get(
                    () ->
                        respond(
                            () ->
                                grid.readiness()
                                    .thenApply(
                                        r ->
                                            r.ready()
                                                ? json(200, "{\"status\":\"ready\"}")
                                                : problems.problem(
                                                    503, "Not ready", r.reason()))))));
  }

  private Route entries(String mapName) {
    return concat(
        pathEndOrSingleSlash(() -> get(() -> list(mapName))),
        path(
            PathMatchers.segment(),
            key ->
                concat(
                    get(() -> read(mapName, key)),
                    head(() -> read(mapName, key)),
                    put(() -> write(mapName, key)),
                    delete(() -> remove(mapName, key)),
                    patch(() -> patchEntry(mapName, key)),
                    post(() -> increment(mapName, key)))));
  }

  private Route read(String mapName, String key) {
    return optionalHeaderValueByName(
        "If-None-Match",
        ifNoneMatch ->
            respond(
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
                                                  contentType(e.contentType()), e.value()));
                              response = response.addHeader(etag(e.version()));
                              return e.expiresAt() == null
                                  ? response
                                  : response.addHeader(
                                      RawHeader.create(
                                          "Grid-Expires-At", e.expiresAt().toString()));
                            })));
  }

  private Route write(String mapName, String key) {
    return writeWithBody(
        true,
        true,
        (options, entity) -> {
          GridMap map = grid.map(mapName);
          ContentType type = entity.getContentType();
          return readBody(entity)
              .thenCompose(
                  body -> {
                    checkJson(type, body);
                    return map.put(key, body, type.toString(), options);
                  })
              .thenApply(
                  result -> {
                    HttpResponse response =
                        writeReply(result.created() ? 201 : 200, mapName, key, result.version());
                    return result.created()
                        ? response.addHeader(Location.create(entryPath(mapName, key)))
                        : response;
                  });
        });
  }

  /** A write with a body: its options (see {@link #writeOptions}), its entity, its response. */
  private Route writeWithBody(
      boolean isPut,
      boolean takesTtl,
      BiFunction<WriteOptions, HttpEntity, CompletionStage<HttpResponse>> action) {
    return writeOptions(
        isPut,
        takesTtl,
        options -> extractRequestEntity(entity -> respond(() -> action.apply(options, entity))));
  }

  /** {"map","key","version"} with the version as ETag. */
  private HttpResponse writeReply(int status, String map, String key, long version) {
    return json(status, toJson(new WriteReply(map, key, version))).addHeader(etag(version));
  }

  /**
   * The options of a write from its headers and query: If-Match / If-None-Match, ?ttl= and
   * Idempotency-Key.
   */
  private Route writeOptions(boolean isPut, boolean takesTtl, Function<WriteOptions, Route> inner) {
    return optionalHeaderValueByName(
        "If-Match",
        ifMatch ->
            optionalHeaderValueByName(
                "If-None-Match",
                ifNoneMatch ->
                    optionalHeaderValueByName(
                        "Idempotency-Key",
                        idempotencyKey ->
                            parameterOptional(
                                "ttl",
                                ttl -> {
                                  WriteOptions options;
                                  try {
                                    options =
                                        WriteOptions.none()
                                            .withPrecondition(
                                                ETags.forWrite(
                                                    ifMatch.orElse(null),
                                                    ifNoneMatch.orElse(null),
                                                    isPut));
                                    if (ttl.isPresent() && !takesTtl) {
                                      throw new InvalidRequestException(
                                          "ttl applies to PUT of an entry and to :increment (when"
                                              + " it creates the counter), not to this request");
                                    }
                                    if (ttl.isPresent()) {
                                      options = options.withTtl(Ttls.parse(ttl.get(), "ttl"));
                                    }
                                    if (idempotencyKey.isPresent()) {
                                      options = options.withIdempotencyKey(idempotencyKey.get());
                                    }
                                  } catch (RuntimeException e) {
                                    return respond(() -> CompletableFuture.failedFuture(e));
                                  }
                                  return inner.apply(options);
                                }))));
  }

  private static String entryPath(String map, String key) {
    return "/v1/maps/"
        + map
        + "/entries/"
        + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private Route remove(String mapName, String key) {
    return writeOptions(
        false,
        false,
        options ->
            respond(
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
    return writeWithBody(
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
          return readBody(entity)
              .thenCompose(body -> map.patch(key, body, options))
              .thenApply(result -> writeReply(200, mapName, key, result.version()));
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
    return writeWithBody(
        false,
        true,
        (options, entity) ->
            readBody(entity)
                .thenCompose(body -> grid.map(mapName).increment(key, delta(entity, body), options))
                .thenApply(
                    counter ->
                        json(
                                counter.created() ? 201 : 200,
                                toJson(
                                    new CounterReply(
                                        mapName, key, counter.value(), counter.version())))
                            .addHeader(etag(counter.version()))));
  }

  private long delta(HttpEntity entity, byte[] body) {
    if (body.length == 0) {
      return 1;
    }
    JsonNode node = jsonBody(entity.getContentType(), body, "{\"delta\": 5}");
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

  /** The body as JSON: it must be sent as application/json and parse. */
  private JsonNode jsonBody(ContentType type, byte[] body, String example) {
    if (!isJson(type.mediaType())) {
      throw new InvalidRequestException(
          "send the body as Content-Type: application/json, such as " + example + "; was " + type);
    }
    checkJson(type, body);
    try {
      return mapper.readTree(body);
    } catch (IOException e) {
      throw new InvalidRequestException("the body is not valid JSON: " + e.getMessage());
    }
  }

  private Route batch(String mapName) {
    return optionalHeaderValueByName(
        "Idempotency-Key",
        idempotencyKey ->
            extractRequestEntity(
                entity ->
                    respond(
                        () -> {
                          GridMap map = grid.map(mapName);
                          String requestKey = idempotencyKey.orElse(null);
                          return readBody(entity, settings.maxBatchBodyBytes())
                              .thenCompose(
                                  body ->
                                      map.batch(
                                          BatchRequests.parse(
                                              jsonBody(
                                                  entity.getContentType(),
                                                  body,
                                                  "{\"items\":[{\"op\":\"get\",\"key\":\"k\"}]}"),
                                              grid.limits().maxBatchItems()),
                                          requestKey))
                              .thenApply(
                                  results ->
                                      json(
                                          200,
                                          toJson(
                                              new BatchReply(
                                                  results.stream()
                                                      .map(this::batchItem)
                                                      .toList()))));
                        })));
  }

  private BatchReply.Item batchItem(BatchResult result) {
    if (result.error() != null) {
      GridException e = result.error();
      Long current =
          result.outcome() == BatchResult.Outcome.PRECONDITION_FAILED ? result.version() : null;
      return BatchReply.Item.failed(
          result.key(), e.httpStatus(), current, e.title(), e.getMessage());
    }
    if (result.outcome() == BatchResult.Outcome.NOT_FOUND) {
      return BatchReply.Item.failed(
          result.key(), 404, null, "Not found", "no entry with key '" + result.key() + "'");
    }
    Entry e = result.entry();
    if (e == null) {
      return BatchReply.Item.written(result.key(), result.httpStatus(), result.version());
    }
    InlineValue v = inline(e);
    return BatchReply.Item.found(
        result.key(),
        e.version(),
        e.contentType(),
        e.expiresAt() == null ? null : e.expiresAt().toString(),
        v.json(),
        v.text(),
        v.base64());
  }

  private Route describeMap(String mapName) {
    return respond(
        () ->
            grid.map(mapName)
                .describe()
                .thenApply(
                    info ->
                        info.map(
                                i ->
                                    json(
                                            200,
                                            toJson(
                                                new MapReply(
                                                    i.name(),
                                                    i.entries(),
                                                    wireSettings(i.settings()),
                                                    i.settingsVersion())))
                                        .addHeader(etag(i.settingsVersion())))
                            .orElseGet(
                                () ->
                                    problems.problem(
                                        404,
                                        "Not found",
                                        "map '"
                                            + mapName
                                            + "' has neither entries nor settings"))));
  }

  private static MapReply.Settings wireSettings(MapSettings settings) {
    return settings == null
        ? null
        : new MapReply.Settings(
            settings.defaultTtl() == null ? null : Ttls.format(settings.defaultTtl()),
            settings.maxValueBytes());
  }

  /** PUT /v1/maps/{map} with {"defaultTtl": "30s", "maxValueBytes": 1024}, both optional. */
  private Route configureMap(String mapName) {
    return writeWithBody(
        true,
        false,
        (options, entity) -> {
          GridMap map = grid.map(mapName);
          return readBody(entity)
              .thenCompose(
                  body ->
                      map.configure(
                          mapSettings(entity.getContentType(), body), options.precondition()))
              .thenApply(
                  result ->
                      json(
                              result.created() ? 201 : 200,
                              toJson(new MapReply(mapName, null, null, result.version())))
                          .addHeader(etag(result.version())));
        });
  }

  private MapSettings mapSettings(ContentType type, byte[] body) {
    if (body.length == 0) {
      return MapSettings.DEFAULT;
    }
    String example = "{\"defaultTtl\": \"30s\", \"maxValueBytes\": 65536}";
    JsonNode node = jsonBody(type, body, example);
    if (!node.isObject()) {
      throw new InvalidRequestException("map settings are a JSON object, such as " + example);
    }
    Duration ttl = null;
    long maxValueBytes = 0;
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      JsonNode value = field.getValue();
      switch (field.getKey()) {
        case "defaultTtl" -> {
          if (!value.isNull()) {
            if (!value.isTextual()) {
              throw new InvalidRequestException(
                  "defaultTtl is a string such as \"30s\" (units ms, s, m, h, d), or null");
            }
            ttl = Ttls.parse(value.textValue(), "defaultTtl");
          }
        }
        case "maxValueBytes" -> {
          if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
            throw new InvalidRequestException(
                "maxValueBytes is a whole number of bytes, 0 for the node's limit");
          }
          maxValueBytes = value.longValue();
        }
        default ->
            throw new InvalidRequestException(
                "unknown map setting '"
                    + field.getKey()
                    + "'; the settings are defaultTtl and maxValueBytes");
      }
    }
    return new MapSettings(ttl, maxValueBytes);
  }

  private Route dropMap(String mapName) {
    return respond(
        () ->
            grid.map(mapName)
                .drop()
                .thenApply(
                    existed ->
                        existed
                            ? HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
                            : problems.problem(
                                404,
                                "Not found",
                                "map '" + mapName + "' has neither entries nor settings")));
  }

  private Route clearMap(String mapName) {
    return respond(
        () ->
            grid.map(mapName)
                .clear()
                .thenApply(removed -> json(200, toJson(new ClearReply(mapName, removed)))));
  }

  private Route openApi() {
    return complete(
        HttpResponse.create()
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, OpenApi.document())));
  }

  private Route list(String mapName) {
    return parameterOptional(
        "prefix",
        prefix ->
            parameterOptional(
                "limit",
                limit ->
                    parameterOptional(
                        "cursor",
                        cursor ->
                            parameterOptional(
                                "values",
                                values ->
                                    respond(
                                        () -> {
                                          ListQuery query =
                                              new ListQuery(
                                                  prefix.orElse(""),
                                                  intParam("limit", limit, ListQuery.DEFAULT_LIMIT),
                                                  cursor.filter(c -> !c.isEmpty()).orElse(null),
                                                  boolParam("values", values));
                                          return grid.map(mapName)
                                              .list(query)
                                              .thenApply(
                                                  page ->
                                                      json(200, toJson(listReply(mapName, page))));
                                        })))));
  }

  private Route listMaps() {
    return respond(
        () ->
            grid.maps()
                .thenApply(
                    maps ->
                        json(
                            200,
                            toJson(
                                new MapsReply(
                                    maps.stream()
                                        .map(
                                            m ->
                                                new MapReply(
                                                    m.name(),
                                                    m.entries(),
                                                    wireSettings(m.settings()),
                                                    m.settingsVersion()))
                                        .toList())))));
  }

  /**
   * Completes with the stage's response, or the problem for its failure. Failures thrown while
   * building the stage (invalid input) are answered the same way.
   */
  private Route respond(Supplier<CompletionStage<HttpResponse>> action) {
    CompletionStage<HttpResponse> stage;
    try {
      stage = action.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return completeWithFuture(
        stage.handle(
            (response, error) ->
                error == null
                    ? response
                    : problems.forFailure(error, grid.limits().maxValueBytes())));
  }

  private CompletionStage<byte[]> readBody(HttpEntity entity) {
    return readBody(entity, grid.limits().maxValueBytes());
  }

  private CompletionStage<byte[]> readBody(HttpEntity entity, long limit) {
    var declared = entity.getContentLengthOption();
    if (declared.isPresent() && declared.getAsLong() > limit) {
      throw new ValueTooLargeException(declared.getAsLong(), limit);
    }
    // toStrict's stage completes through Scala's futures: continue on the node's dispatcher.
    // withSizeLimit makes a body without Content-Length fail as EntityStreamSizeException (413).
    return entity
        .withSizeLimit(limit)
        .toStrict(settings.bodyReadTimeout().toMillis(), system)
        .thenApplyAsync(strict -> strict.getData().toArray(), executor);
  }

  private void checkJson(ContentType type, byte[] body) {
    MediaType media = type.mediaType();
    if (!isJson(media)) {
      return;
    }
    // RFC 8259: JSON exchanged between systems is UTF-8 without a byte order mark. Jackson would
    // also accept UTF-16/32 and a BOM; such values could not be inlined in listings.
    boolean bom =
        body.length >= 3
            && (body[0] & 0xff) == 0xef
            && (body[1] & 0xff) == 0xbb
            && (body[2] & 0xff) == 0xbf;
    boolean wide = false;
    for (int i = 0; i < Math.min(4, body.length); i++) {
      wide |= body[i] == 0;
    }
    if (bom || wide) {
      throw new InvalidRequestException(
          "the body is not UTF-8 JSON text (it starts with a byte order mark or is UTF-16/32)"
              + " but Content-Type is "
              + type
              + ". Send UTF-8 without a byte order mark.");
    }
    // Streaming validation: half the time of building a tree, a tenth of the garbage (JMH).
    try (JsonParser parser = mapper.getFactory().createParser(body)) {
      if (parser.nextToken() == null) {
        throw new InvalidRequestException(
            "the body holds no JSON value but Content-Type is " + type);
      }
      parser.skipChildren();
      if (parser.nextToken() != null) {
        throw new InvalidRequestException(
            "the body holds more than one JSON value but Content-Type is " + type);
      }
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(
          "the body is not valid JSON but Content-Type is "
              + type
              + ": "
              + e.getOriginalMessage()
              + ". Send valid JSON, or another Content-Type such as application/octet-stream.");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ListReply listReply(String mapName, Page page) {
    return new ListReply(
        mapName, page.entries().stream().map(this::item).toList(), page.nextCursor());
  }

  private ListReply.Item item(Entry e) {
    InlineValue v = inline(e);
    return new ListReply.Item(
        e.key(),
        e.version(),
        e.contentType(),
        e.created().toString(),
        e.updated().toString(),
        e.expiresAt() == null ? null : e.expiresAt().toString(),
        v.json(),
        v.text(),
        v.base64());
  }

  /** A value inside a JSON reply: JSON inline, text as a string, anything else as base64. */
  private record InlineValue(String json, String text, String base64) {}

  private static InlineValue inline(Entry e) {
    if (e.value() == null) {
      return new InlineValue(null, null, null);
    }
    ContentType type = contentType(e.contentType());
    MediaType media = type.mediaType();
    if (isJson(media)) {
      return new InlineValue(new String(e.value(), StandardCharsets.UTF_8), null, null);
    }
    if (media.mainType().equals("text")) {
      return new InlineValue(
          null,
          new String(
              e.value(),
              type.getCharsetOption().map(HttpCharset::nioCharset).orElse(StandardCharsets.UTF_8)),
          null);
    }
    return new InlineValue(null, null, Base64.getEncoder().encodeToString(e.value()));
  }

  /** application/json and any application/*+json type. */
  private static boolean isJson(MediaType media) {
    return media.mainType().equals("application")
        && (media.subType().equals("json") || media.subType().endsWith("+json"));
  }

  private HttpResponse notFound(String map, String key) {
    return problems.problem(
        404, "Not found", "map '" + map + "' has no entry with key '" + key + "'");
  }

  private static ETag etag(long version) {
    return ETag.create(EntityTag.create(Long.toString(version), false));
  }

  private static ContentType contentType(String stored) {
    try {
      return ContentTypes.parse(stored);
    } catch (RuntimeException e) {
      return ContentTypes.APPLICATION_OCTET_STREAM;
    }
  }

  private static int intParam(String name, Optional<String> value, int fallback) {
    if (value.isEmpty() || value.get().isEmpty()) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.get());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          "query parameter " + name + " must be a whole number, was '" + value.get() + "'");
    }
  }

  private static boolean boolParam(String name, Optional<String> value) {
    return value
        .map(
            v -> {
              if (v.equals("true") || v.isEmpty()) {
                return true;
              }
              if (v.equals("false")) {
                return false;
              }
              throw new InvalidRequestException(
                  "query parameter " + name + " must be true or false, was '" + v + "'");
            })
        .orElse(false);
  }

  private HttpResponse json(int status, String body) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  private String toJson(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
