package io.actorgrid.http;

import io.actorgrid.grid.BatchResult;
import io.actorgrid.grid.Entry;
import io.actorgrid.grid.Grid;
import io.actorgrid.grid.GridException;
import io.actorgrid.grid.GridMap;
import io.actorgrid.http.wire.BatchReply;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Batches, {@code POST /v1/maps/{map}:batch}: puts, gets and deletes of one map in one request (see
 * {@link BatchRequests} for the body), one reply item per request item, in order. The items of one
 * partition are written atomically; the batch as a whole is not (see {@link GridMap#batch}).
 */
final class BatchRoutes extends AllDirectives {
  private final Grid grid;
  private final Responses responses;
  private final Bodies bodies;

  BatchRoutes(RouteHelpers helpers) {
    this.grid = helpers.grid();
    this.responses = helpers.responses();
    this.bodies = helpers.bodies();
  }

  Route route() {
    return MapPaths.action("batch", this::batch);
  }

  private Route batch(String mapName) {
    return Authorization.principal(principal -> batch(mapName, Authorization.name(principal)));
  }

  private Route batch(String mapName, String principal) {
    return optionalHeaderValueByName(
        "Idempotency-Key",
        idempotencyKey ->
            extractRequestEntity(
                entity ->
                    responses.respond(
                        () -> {
                          GridMap map = grid.map(mapName);
                          String requestKey = idempotencyKey.orElse(null);
                          return bodies.withBatch(
                              entity,
                              body ->
                                  map.batch(
                                          BatchRequests.parse(
                                              bodies.json(
                                                  entity.getContentType(),
                                                  body,
                                                  "{\"items\":[{\"op\":\"get\",\"key\":\"k\"}]}"),
                                              grid.limits().maxBatchItems()),
                                          requestKey,
                                          principal)
                                      .thenApply(
                                          results ->
                                              responses.json(
                                                  200,
                                                  responses.toJson(
                                                      new BatchReply(
                                                          results.stream()
                                                              .map(this::batchItem)
                                                              .toList())))));
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
    StoredValues.Inline v = StoredValues.inline(e);
    return BatchReply.Item.found(
        result.key(),
        e.version(),
        e.contentType(),
        e.expiresAt() == null ? null : e.expiresAt().toString(),
        v.json(),
        v.text(),
        v.base64());
  }
}
