package io.actorgrid.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.actorgrid.grid.Entry;
import io.actorgrid.grid.Grid;
import io.actorgrid.grid.GridMap;
import io.actorgrid.grid.InvalidRequestException;
import io.actorgrid.grid.ListQuery;
import io.actorgrid.grid.Page;
import io.actorgrid.grid.Precondition;
import io.actorgrid.grid.ValueTooLargeException;
import io.actorgrid.http.wire.ClusterReply;
import io.actorgrid.http.wire.ListReply;
import io.actorgrid.http.wire.MapsReply;
import io.actorgrid.http.wire.WriteReply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharset;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The HTTP API, v1. Every route calls the embedded API ({@link Grid}, {@link GridMap}), so HTTP
 * and embedded users get the same semantics; this class only translates. Errors are problem
 * documents (see {@link Problems}); statuses follow {@link io.actorgrid.grid.GridException}.
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
    this.mapper = new ObjectMapper();
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
                        pathPrefix(
                            "maps",
                            () ->
                                concat(
                                    pathEndOrSingleSlash(() -> get(this::listMaps)),
                                    pathPrefix(
                                        PathMatchers.segment(),
                                        map ->
                                            pathPrefix(
                                                "entries", () -> entries(map)))))))));
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
                    delete(() -> remove(mapName, key)))));
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
                              return response.addHeader(etag(e.version()));
                            })));
  }

  private Route write(String mapName, String key) {
    return optionalHeaderValueByName(
        "If-Match",
        ifMatch ->
            optionalHeaderValueByName(
                "If-None-Match",
                ifNoneMatch ->
                    extractRequestEntity(
                        entity ->
                            respond(
                                () -> {
                                  GridMap map = grid.map(mapName);
                                  Precondition precondition =
                                      ETags.forWrite(
                                          ifMatch.orElse(null), ifNoneMatch.orElse(null), true);
                                  ContentType type = entity.getContentType();
                                  return readBody(entity)
                                      .thenCompose(
                                          body -> {
                                            checkJson(type, body);
                                            return map.put(
                                                key, body, type.toString(), precondition);
                                          })
                                      .thenApply(
                                          result ->
                                              json(
                                                      result.created() ? 201 : 200,
                                                      toJson(
                                                          new WriteReply(
                                                              mapName, key, result.version())))
                                                  .addHeader(etag(result.version())));
                                }))));
  }

  private Route remove(String mapName, String key) {
    return optionalHeaderValueByName(
        "If-Match",
        ifMatch ->
            optionalHeaderValueByName(
                "If-None-Match",
                ifNoneMatch ->
                    respond(
                        () ->
                            grid.map(mapName)
                                .delete(
                                    key,
                                    ETags.forWrite(
                                        ifMatch.orElse(null), ifNoneMatch.orElse(null), false))
                                .thenApply(
                                    deleted ->
                                        deleted
                                            ? HttpResponse.create()
                                                .withStatus(StatusCodes.NO_CONTENT)
                                            : notFound(mapName, key)))));
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
                                              .thenApply(page -> json(200, toJson(listReply(mapName, page))));
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
                                        .map(m -> new MapsReply.MapItem(m.name(), m.entries()))
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
    int limit = grid.limits().maxValueBytes();
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
        body.length >= 3 && (body[0] & 0xff) == 0xef && (body[1] & 0xff) == 0xbb
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
    String json = null;
    String text = null;
    String base64 = null;
    if (e.value() != null) {
      MediaType media = contentType(e.contentType()).mediaType();
      if (isJson(media)) {
        json = new String(e.value(), StandardCharsets.UTF_8);
      } else if (media.mainType().equals("text")) {
        text =
            new String(
                e.value(),
                contentType(e.contentType())
                    .getCharsetOption()
                    .map(HttpCharset::nioCharset)
                    .orElse(StandardCharsets.UTF_8));
      } else {
        base64 = Base64.getEncoder().encodeToString(e.value());
      }
    }
    return new ListReply.Item(
        e.key(),
        e.version(),
        e.contentType(),
        e.created().toString(),
        e.updated().toString(),
        json,
        text,
        base64);
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
