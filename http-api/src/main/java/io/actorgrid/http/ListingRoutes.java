package io.actorgrid.http;

import io.actorgrid.grid.Entry;
import io.actorgrid.grid.Grid;
import io.actorgrid.grid.ListQuery;
import io.actorgrid.grid.Page;
import io.actorgrid.http.wire.ListReply;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The records of a map a page at a time, in key order: {@code GET
 * /v1/maps/{map}/entries?prefix=&limit=&cursor=&values=}. A page is merged from every partition,
 * each read at a slightly different moment (see {@link io.actorgrid.grid.GridMap#list}); a cursor
 * is a position in key order, not a record, so it stays valid while keys come and go.
 */
final class ListingRoutes extends AllDirectives {
  private final Grid grid;
  private final Responses responses;

  ListingRoutes(RouteHelpers helpers) {
    this.grid = helpers.grid();
    this.responses = helpers.responses();
  }

  Route route() {
    return MapPaths.map(
        mapName ->
            pathPrefix("entries", () -> pathEndOrSingleSlash(() -> get(() -> list(mapName)))));
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
                                    responses.respond(
                                        () -> {
                                          ListQuery query =
                                              new ListQuery(
                                                  prefix.orElse(""),
                                                  QueryParams.intParam(
                                                      "limit", limit, ListQuery.DEFAULT_LIMIT),
                                                  cursor.filter(c -> !c.isEmpty()).orElse(null),
                                                  QueryParams.boolParam("values", values));
                                          return grid.map(mapName)
                                              .list(query)
                                              .thenApply(
                                                  page ->
                                                      responses.json(
                                                          200,
                                                          responses.toJson(
                                                              listReply(mapName, page))));
                                        })))));
  }

  private ListReply listReply(String mapName, Page page) {
    return new ListReply(
        mapName, page.entries().stream().map(this::item).toList(), page.nextCursor());
  }

  private ListReply.Item item(Entry e) {
    StoredValues.Inline v = StoredValues.inline(e);
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
}
