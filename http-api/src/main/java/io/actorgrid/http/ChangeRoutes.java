package io.actorgrid.http;

import io.actorgrid.grid.Change;
import io.actorgrid.grid.ChangeQuery;
import io.actorgrid.grid.Grid;
import io.actorgrid.grid.InvalidRequestException;
import io.actorgrid.grid.internal.ChangeFeeds;
import io.actorgrid.grid.internal.FeedItem;
import io.actorgrid.http.wire.ChangeItem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.javadsl.JavaFlowSupport;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/*
 * The change feed over HTTP: GET /v1/changes (every map) and GET /v1/maps/{map}/changes (one map,
 * ?prefix= narrows it by key), as Server-Sent Events (Accept: text/event-stream, also for any type or
 * no Accept) or NDJSON (Accept: application/x-ndjson); see docs/changes.md. The routes open the
 * embedded API's feed (Grid.changes, GridMap.changes) and only translate.
 *
 * Where to start: the Last-Event-ID header (what an EventSource sends when it reconnects, so it
 * wins over the query), else ?after=<id>, else ?from=now (default) or ?from=beginning.
 *
 * The response starts only once the feed's first item (the checkpoint of its start) has arrived,
 * so a position too old for retention (410), partitions that do not answer for from=now (503) and
 * a bad id (400) are answered as problem documents with their status. A failure after that ends
 * the stream with an error item: an SSE event "error" (NDJSON: a line {"error": problem}).
 *
 * Heartbeats: the feed sends a checkpoint when idle (at least every 10 s); should the feed itself
 * stall, a heartbeat goes out after HEARTBEAT anyway (an SSE comment; NDJSON: the last id again),
 * so proxies keep idle connections open.
 */
final class ChangeRoutes extends AllDirectives {
  static final MediaType.WithFixedCharset NDJSON =
      MediaTypes.customWithFixedCharset(
          "application", "x-ndjson", HttpCharsets.UTF_8, java.util.Map.of(), false);
  private static final Duration HEARTBEAT = Duration.ofSeconds(15);
  private static final long MAX_CHUNK_BYTES = 64 * 1024;
  private static final List<HttpHeader> STREAM_HEADERS =
      List.of(
          RawHeader.create("Cache-Control", "no-cache"),
          // nginx buffers responses unless told not to; events must not wait in a proxy.
          RawHeader.create("X-Accel-Buffering", "no"));

  private enum Format {
    SSE,
    NDJSON
  }

  private final Grid grid;
  private final Problems problems;
  private final Responses responses;

  ChangeRoutes(RouteHelpers helpers) {
    this.grid = helpers.grid();
    this.problems = helpers.problems();
    this.responses = helpers.responses();
  }

  Route route() {
    return concat(
        pathPrefix(
            "v1",
            () ->
                pathPrefix(
                    "changes",
                    () -> pathEndOrSingleSlash(() -> get(() -> changes(Optional.empty()))))),
        MapPaths.map(
            mapName ->
                pathPrefix(
                    "changes",
                    () -> pathEndOrSingleSlash(() -> get(() -> changes(Optional.of(mapName)))))));
  }

  private Route changes(Optional<String> mapName) {
    return optionalHeaderValueByName(
        "Accept",
        accept ->
            optionalHeaderValueByName(
                "Last-Event-ID",
                lastEventId ->
                    parameterOptional(
                        "after",
                        after ->
                            parameterOptional(
                                "from",
                                from ->
                                    parameterOptional(
                                        "prefix",
                                        prefix ->
                                            parameterOptional(
                                                "values",
                                                values ->
                                                    responses.respond(
                                                        () ->
                                                            open(
                                                                mapName,
                                                                accept,
                                                                query(
                                                                    lastEventId,
                                                                    after,
                                                                    from,
                                                                    prefix,
                                                                    values)))))))));
  }

  private CompletionStage<HttpResponse> open(
      Optional<String> mapName, Optional<String> accept, ChangeQuery query) {
    Format format = format(accept);
    if (format == null) {
      return CompletableFuture.completedFuture(notAcceptable(accept.orElse("")));
    }
    if (mapName.isEmpty() && !query.prefix().isEmpty()) {
      throw new InvalidRequestException(
          "prefix narrows the feed of one map: use /v1/maps/{map}/changes?prefix=");
    }
    Flow.Publisher<Change> feed =
        mapName.isPresent() ? grid.map(mapName.get()).changes(query) : grid.changes(query);
    return stream(feed, format);
  }

  private static ChangeQuery query(
      Optional<String> lastEventId,
      Optional<String> after,
      Optional<String> from,
      Optional<String> prefix,
      Optional<String> values) {
    ChangeQuery.From start = ChangeQuery.From.NOW;
    if (from.isPresent()) {
      start =
          switch (from.get()) {
            case "now" -> ChangeQuery.From.NOW;
            case "beginning" -> ChangeQuery.From.BEGINNING;
            default ->
                throw new InvalidRequestException(
                    "query parameter from must be now or beginning, was '" + from.get() + "'");
          };
    }
    String resume = lastEventId.filter(id -> !id.isBlank()).map(String::trim).orElse(null);
    if (resume == null && after.isPresent()) {
      if (from.isPresent()) {
        throw new InvalidRequestException(
            "give either after (resume after an id) or from (now or beginning), not both");
      }
      resume = after.get();
    }
    return new ChangeQuery(
        resume, start, prefix.orElse(""), QueryParams.boolParam("values", values));
  }

  /** The format the Accept header asks for; null when it accepts neither. */
  private static Format format(Optional<String> accept) {
    if (accept.isEmpty() || accept.get().isBlank()) {
      return Format.SSE;
    }
    Format best = null;
    double bestQ = 0;
    for (String range : accept.get().split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      double q = 1;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim();
        if (p.startsWith("q=")) {
          try {
            q = Double.parseDouble(p.substring(2));
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      Format f =
          switch (type) {
            case "text/event-stream", "text/*", "*/*" -> Format.SSE;
            case "application/x-ndjson" -> Format.NDJSON;
            default -> null;
          };
      if (f != null && q > bestQ) {
        best = f;
        bestQ = q;
      }
    }
    return best;
  }

  private HttpResponse notAcceptable(String accept) {
    return problems.problem(
        406,
        "Not acceptable",
        "the change feed is served as text/event-stream (Server-Sent Events) or"
            + " application/x-ndjson; the request accepts only '"
            + accept
            + "'");
  }

  /** Waits for the feed's first item, then streams it and the rest. */
  private CompletionStage<HttpResponse> stream(Flow.Publisher<Change> feed, Format format) {
    CompletionStage<Source<ByteString, NotUsed>> started;
    AtomicReference<String> lastId = new AtomicReference<>();
    if (feed instanceof ChangeFeeds.FeedPublisher node) {
      // The node's own feed runs inside the response stream, in the batches it finds: one
      // hand-over less per change, one stream step and one write per batch, and each change
      // rendered once for every subscriber that shares it (FeedItem).
      started =
          node.startedInBatches()
              .thenApply(
                  batches ->
                      batches.map(
                          batch -> {
                            lastId.set(batch.get(batch.size() - 1).change().id());
                            return render(batch, format);
                          }));
    } else {
      started =
          JavaFlowSupport.Source.fromPublisher(feed)
              .prefixAndTail(1)
              .runWith(Sink.head(), grid.system())
              .thenApply(
                  pair ->
                      Source.from(pair.first())
                          .concat(pair.second())
                          .map(
                              change -> {
                                lastId.set(change.id());
                                return render(change, format);
                              }));
    }
    return started.thenApply(
        rendered -> {
          Source<ByteString, NotUsed> bytes =
              rendered
                  .recover(
                      new PFBuilder<Throwable, ByteString>()
                          .match(Throwable.class, error -> failure(error, format))
                          .build())
                  // While the client reads slower than changes come, send several batches per
                  // chunk (one write instead of many); otherwise each goes at once.
                  .batchWeighted(
                      MAX_CHUNK_BYTES,
                      chunk -> (long) chunk.size(),
                      chunk -> chunk,
                      ByteString::concat)
                  .keepAlive(HEARTBEAT, () -> heartbeat(format, lastId.get()));
          HttpEntity.Chunked entity =
              HttpEntities.create(
                  format == Format.SSE
                      ? MediaTypes.TEXT_EVENT_STREAM.toContentType()
                      : NDJSON.toContentType(),
                  bytes);
          return HttpResponse.create().withEntity(entity).addHeaders(STREAM_HEADERS);
        });
  }

  /** The batch's items, one after the other, each rendered once for all who share it. */
  private ByteString render(List<FeedItem> batch, Format format) {
    if (batch.size() == 1) {
      return batch.get(0).rendered(format.ordinal(), change -> render(change, format));
    }
    ByteStringBuilder out = new ByteStringBuilder();
    for (FeedItem item : batch) {
      out.append(item.<ByteString>rendered(format.ordinal(), change -> render(change, format)));
    }
    return out.result();
  }

  /** One item as an SSE event or an NDJSON line. */
  private ByteString render(Change change, Format format) {
    if (format == Format.SSE) {
      if (change.isCheckpoint()) {
        // An event with only an id: EventSource takes the id and dispatches nothing.
        return ByteString.fromString("id: " + change.id() + "\n\n");
      }
      return ByteString.fromString("id: " + change.id() + "\ndata: " + json(change) + "\n\n");
    }
    return ByteString.fromString(json(change) + "\n");
  }

  private String json(Change change) {
    if (change.isCheckpoint()) {
      return responses.toJson(
          new ChangeItem(change.id(), null, null, null, null, null, null, null, null, null));
    }
    StoredValues.Inline v =
        change.value() == null
            ? new StoredValues.Inline(null, null, null)
            : StoredValues.inline(change.contentType(), change.value());
    return responses.toJson(
        new ChangeItem(
            change.id(),
            change.map(),
            change.key(),
            change.op().wireName(),
            change.version(),
            change.time().toString(),
            change.contentType(),
            v.json(),
            v.text(),
            v.base64()));
  }

  private ByteString failure(Throwable error, Format format) {
    HttpResponse problem = problems.forFailure(error, grid.limits().maxValueBytes());
    String document =
        ((HttpEntity.Strict) problem.entity()).getData().decodeString(StandardCharsets.UTF_8);
    if (format == Format.SSE) {
      return ByteString.fromString("event: error\ndata: " + document + "\n\n");
    }
    return ByteString.fromString("{\"error\":" + document + "}\n");
  }

  /** An SSE comment, or an NDJSON checkpoint of the last id (the first item always has one). */
  private static ByteString heartbeat(Format format, String lastId) {
    return ByteString.fromString(format == Format.SSE ? ":\n\n" : "{\"id\":\"" + lastId + "\"}\n");
  }
}
