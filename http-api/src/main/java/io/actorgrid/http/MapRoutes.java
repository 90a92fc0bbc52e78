package io.actorgrid.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.actorgrid.grid.Grid;
import io.actorgrid.grid.GridMap;
import io.actorgrid.grid.InvalidRequestException;
import io.actorgrid.grid.MapSettings;
import io.actorgrid.grid.WriteOptions;
import io.actorgrid.http.auth.Access;
import io.actorgrid.http.auth.Principal;
import io.actorgrid.http.wire.ClearReply;
import io.actorgrid.http.wire.MapReply;
import io.actorgrid.http.wire.MapsReply;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Maps as a whole: {@code GET /v1/maps} lists them, {@code /v1/maps/{map}} describes (GET),
 * configures (PUT) and drops (DELETE) one, {@code POST /v1/maps/{map}:clear} removes its records
 * and keeps its settings. A map's settings live in one partition, its home; its records are spread
 * over all of them.
 */
final class MapRoutes extends AllDirectives {
  private final Grid grid;
  private final Problems problems;
  private final Responses responses;
  private final Bodies bodies;
  private final WriteRequests writes;

  MapRoutes(RouteHelpers helpers) {
    this.grid = helpers.grid();
    this.problems = helpers.problems();
    this.responses = helpers.responses();
    this.bodies = helpers.bodies();
    this.writes = helpers.writes();
  }

  Route route() {
    return concat(
        MapPaths.maps(() -> get(() -> Authorization.principal(this::listMaps))),
        MapPaths.map(
            mapName ->
                pathEndOrSingleSlash(
                    () ->
                        concat(
                            get(() -> describeMap(mapName)),
                            put(() -> configureMap(mapName)),
                            delete(() -> dropMap(mapName))))),
        MapPaths.action("clear", this::clearMap),
        MapPaths.unknownAction(problems));
  }

  /** The maps; with authentication on, those the token may read. */
  private Route listMaps(Optional<Principal> principal) {
    return responses.respond(
        () ->
            grid.maps()
                .thenApply(
                    maps ->
                        responses.json(
                            200,
                            responses.toJson(
                                new MapsReply(
                                    maps.stream()
                                        .filter(
                                            m ->
                                                principal
                                                    .map(p -> p.allows(m.name(), Access.READ))
                                                    .orElse(true))
                                        .map(
                                            m ->
                                                new MapReply(
                                                    m.name(),
                                                    m.entries(),
                                                    wireSettings(m.settings()),
                                                    m.settingsVersion()))
                                        .toList())))));
  }

  private Route describeMap(String mapName) {
    return responses.respond(
        () ->
            grid.map(mapName)
                .describe()
                .thenApply(
                    info ->
                        info.map(
                                i ->
                                    responses
                                        .json(
                                            200,
                                            responses.toJson(
                                                new MapReply(
                                                    i.name(),
                                                    i.entries(),
                                                    wireSettings(i.settings()),
                                                    i.settingsVersion())))
                                        .addHeader(ETags.header(i.settingsVersion())))
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
            settings.maxValueBytes(),
            settings.historyRetention() == null ? null : Ttls.format(settings.historyRetention()));
  }

  /**
   * PUT /v1/maps/{map} with {"defaultTtl": "30s", "maxValueBytes": 1024, "historyRetention": "7d"},
   * each optional.
   */
  private Route configureMap(String mapName) {
    return writes.withBody(
        true,
        false,
        (options, entity) -> {
          GridMap map = grid.map(mapName);
          return bodies.withValue(
              entity,
              body ->
                  map.configure(mapSettings(entity.getContentType(), body), options.precondition())
                      .thenApply(
                          result ->
                              responses
                                  .json(
                                      result.created() ? 201 : 200,
                                      responses.toJson(
                                          new MapReply(mapName, null, null, result.version())))
                                  .addHeader(ETags.header(result.version()))));
        });
  }

  private MapSettings mapSettings(ContentType type, byte[] body) {
    if (body.length == 0) {
      return MapSettings.DEFAULT;
    }
    String example = "{\"defaultTtl\": \"30s\", \"maxValueBytes\": 65536}";
    JsonNode node = bodies.json(type, body, example);
    if (!node.isObject()) {
      throw new InvalidRequestException("map settings are a JSON object, such as " + example);
    }
    Duration ttl = null;
    Duration retention = null;
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
        case "historyRetention" -> {
          if (!value.isNull()) {
            if (!value.isTextual()) {
              throw new InvalidRequestException(
                  "historyRetention is a string such as \"7d\" (units ms, s, m, h, d), or null"
                      + " for the node's retention");
            }
            retention = Ttls.parse(value.textValue(), "historyRetention");
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
                    + "'; the settings are defaultTtl, maxValueBytes and historyRetention");
      }
    }
    return new MapSettings(ttl, maxValueBytes, retention);
  }

  private Route dropMap(String mapName) {
    return Authorization.principal(principal -> dropMap(mapName, principal));
  }

  private Route dropMap(String mapName, Optional<Principal> principal) {
    return responses.respond(
        () ->
            grid.map(mapName)
                .drop(Authorization.options(WriteOptions.none(), principal))
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
    return Authorization.principal(principal -> clearMap(mapName, principal));
  }

  private Route clearMap(String mapName, Optional<Principal> principal) {
    return responses.respond(
        () ->
            grid.map(mapName)
                .clear(Authorization.options(WriteOptions.none(), principal))
                .thenApply(
                    removed ->
                        responses.json(200, responses.toJson(new ClearReply(mapName, removed)))));
  }
}
