package io.actorgrid.http;

import io.actorgrid.grid.Grid;
import io.actorgrid.http.wire.ClusterReply;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What operators and tools ask a node: its liveness and readiness under {@code /health}, the
 * cluster as this node sees it ({@code GET /v1/cluster}, see {@link Grid#cluster()}) and the
 * OpenAPI document of the API ({@code GET /v1/openapi.json}). With authentication on, {@code
 * /health/*} and the OpenAPI document stay open, and the cluster view needs a valid token whatever
 * its grants (see {@link io.actorgrid.http.auth.AccessRules}).
 */
final class OperationRoutes extends AllDirectives {
  private final Grid grid;
  private final Problems problems;
  private final Responses responses;

  OperationRoutes(RouteHelpers helpers) {
    this.grid = helpers.grid();
    this.problems = helpers.problems();
    this.responses = helpers.responses();
  }

  Route route() {
    return concat(
        pathPrefix("health", this::health),
        pathPrefix(
            "v1",
            () ->
                concat(
                    path("cluster", () -> get(this::cluster)),
                    path("openapi.json", () -> get(this::openApi)))));
  }

  private Route health() {
    return concat(
        path("live", () -> get(() -> complete(responses.json(200, "{\"status\":\"live\"}")))),
        path(
            "ready",
            () ->
                get(
                    () ->
                        responses.respond(
                            () ->
                                grid.readiness()
                                    .thenApply(
                                        r ->
                                            r.ready()
                                                ? responses.json(200, "{\"status\":\"ready\"}")
                                                : problems.problem(
                                                    503, "Not ready", r.reason()))))));
  }

  private Route cluster() {
    return responses.respond(
        () ->
            grid.cluster()
                .thenApply(
                    view ->
                        responses.json(
                            200,
                            responses.toJson(
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

  private Route openApi() {
    return complete(
        HttpResponse.create()
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, OpenApi.document())));
  }
}
