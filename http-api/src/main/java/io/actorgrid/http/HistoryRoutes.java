package io.actorgrid.http;

import io.actorgrid.grid.Grid;
import io.actorgrid.grid.History;
import io.actorgrid.grid.HistoryItem;
import io.actorgrid.grid.HistoryQuery;
import io.actorgrid.http.wire.HistoryReply;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The history of one record, {@code GET
 * /v1/maps/{map}/entries/{key}/history?limit=&cursor=&values=}: its changes newest first, a page at
 * a time, across deletions and re-creations (see {@link io.actorgrid.grid.GridMap#history}). A key
 * without history is 404.
 */
final class HistoryRoutes extends AllDirectives {
  private final Grid grid;
  private final Problems problems;
  private final Responses responses;

  HistoryRoutes(RouteHelpers helpers) {
    this.grid = helpers.grid();
    this.problems = helpers.problems();
    this.responses = helpers.responses();
  }

  Route route() {
    return MapPaths.map(
        mapName ->
            pathPrefix(
                "entries",
                () ->
                    path(
                        PathMatchers.segment().slash("history"),
                        key -> get(() -> history(mapName, key)))));
  }

  private Route history(String mapName, String key) {
    return parameterOptional(
        "limit",
        limit ->
            parameterOptional(
                "cursor",
                cursor ->
                    parameterOptional(
                        "values",
                        values ->
                            responses.respond(
                                () -> {
                                  HistoryQuery query =
                                      new HistoryQuery(
                                          QueryParams.intParam(
                                              "limit", limit, HistoryQuery.DEFAULT_LIMIT),
                                          cursor.filter(c -> !c.isEmpty()).orElse(null),
                                          QueryParams.boolParam("values", values));
                                  return grid.map(mapName)
                                      .history(key, query)
                                      .thenApply(
                                          history ->
                                              history.isEmpty()
                                                  ? problems.problem(
                                                      404,
                                                      "Not found",
                                                      "map '"
                                                          + mapName
                                                          + "' has no history for key '"
                                                          + key
                                                          + "': it never existed, or history"
                                                          + " retention removed all of it")
                                                  : responses.json(
                                                      200, responses.toJson(reply(history.get()))));
                                }))));
  }

  private static HistoryReply reply(History history) {
    return new HistoryReply(
        history.map(),
        history.key(),
        history.items().stream().map(HistoryRoutes::item).toList(),
        history.nextCursor(),
        history.truncated());
  }

  private static HistoryReply.Item item(HistoryItem item) {
    StoredValues.Inline v = StoredValues.inline(item.contentType(), item.value());
    return new HistoryReply.Item(
        item.version(),
        item.op(),
        item.time().toString(),
        item.contentType(),
        item.expiresAt() == null ? null : item.expiresAt().toString(),
        v.json(),
        v.text(),
        v.base64(),
        item.by());
  }
}
