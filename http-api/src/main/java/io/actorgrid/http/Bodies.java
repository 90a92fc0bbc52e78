package io.actorgrid.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.actorgrid.grid.Grid;
import io.actorgrid.grid.GridException;
import io.actorgrid.grid.InvalidRequestException;
import io.actorgrid.grid.ValueTooLargeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/**
 * Request bodies: read within their size limit, and checked to be the JSON their content type says
 * they are. A value with a JSON type is stored only if it is one UTF-8 JSON text, so that listings
 * and batch replies can inline it.
 */
final class Bodies {
  private final Grid grid;
  private final HttpSettings settings;
  private final ObjectMapper mapper;
  private final ActorSystem<?> system;
  private final Executor executor;
  private final BodyBudget budget;

  Bodies(Grid grid, HttpSettings settings, ObjectMapper mapper, BodyBudget budget) {
    this.grid = grid;
    this.budget = budget;
    this.settings = settings;
    this.mapper = mapper;
    this.system = grid.system();
    this.executor = system.executionContext();
  }

  /**
   * Reads a value's body (at most {@code actorgrid.limits.max-value-bytes}) and completes with what
   * {@code action} makes of it; see {@link #withBody}.
   */
  CompletionStage<HttpResponse> withValue(
      HttpEntity entity, Function<byte[], CompletionStage<HttpResponse>> action) {
    long limit = grid.limits().maxValueBytes();
    return withBody(entity, limit, size -> new ValueTooLargeException(size, limit), action);
  }

  /**
   * Reads a batch's body (at most {@code actorgrid.http.max-batch-body-bytes}); see {@link
   * #withBody}.
   */
  CompletionStage<HttpResponse> withBatch(
      HttpEntity entity, Function<byte[], CompletionStage<HttpResponse>> action) {
    long limit = settings.maxBatchBodyBytes();
    return withBody(
        entity,
        limit,
        size ->
            new ValueTooLargeException(
                "the batch body has "
                    + (size < 0 ? "more than " + limit : size)
                    + " bytes; a batch body may have at most "
                    + limit
                    + " bytes (actorgrid.http.max-batch-body-bytes). Split the batch.",
                size,
                limit),
        action);
  }

  /**
   * Reads the body into memory, at most {@code limit} bytes, and completes with {@code action}'s
   * response. A larger body fails with {@code tooLarge} (413), whether its Content-Length says so
   * at once or its chunks add up to it. The body's bytes count against the node's in-flight budget
   * ({@link BodyBudget}) until the response is ready: a request that does not fit gets a 503 before
   * any of its body is read.
   */
  private CompletionStage<HttpResponse> withBody(
      HttpEntity entity,
      long limit,
      LongFunction<GridException> tooLarge,
      Function<byte[], CompletionStage<HttpResponse>> action) {
    var declared = entity.getContentLengthOption();
    if (declared.isPresent() && declared.getAsLong() > limit) {
      throw tooLarge.apply(declared.getAsLong());
    }
    // A body without Content-Length may take the whole limit: that is what it reserves.
    long reserved = declared.isPresent() ? declared.getAsLong() : limit;
    BodyBudget.Reservation reservation = budget.reserve(reserved);
    CompletionStage<HttpResponse> reply;
    try {
      // toStrict's own ceiling (pekko.http.parsing.max-to-strict-bytes, 8 MiB) would refuse
      // larger bodies that are within our limit: it gets our limit too. withSizeLimit makes a
      // body without Content-Length fail as EntityStreamSizeException once it passes the limit.
      // toStrict's stage completes through Scala's futures: continue on the node's dispatcher.
      reply =
          entity
              .withSizeLimit(limit)
              .toStrict(settings.bodyReadTimeout().toMillis(), limit, system)
              .handleAsync(
                  (strict, error) -> {
                    if (error != null) {
                      throw sizeFailure(error, tooLarge);
                    }
                    return strict.getData().toArray();
                  },
                  executor)
              .thenCompose(action);
    } catch (RuntimeException e) {
      reservation.release();
      throw e;
    }
    return reply.whenComplete((response, error) -> reservation.release());
  }

  /** The body's size failure as the route's 413; any other failure as it was. */
  private static RuntimeException sizeFailure(
      Throwable error, LongFunction<GridException> tooLarge) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof EntityStreamSizeException e) {
      return tooLarge.apply(e.actualSize().isDefined() ? (Long) e.actualSize().get() : -1L);
    }
    return cause instanceof RuntimeException r ? r : new CompletionException(cause);
  }

  /** The body as JSON: it must be sent as application/json and parse. */
  JsonNode json(ContentType type, byte[] body, String example) {
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

  /** A body whose type is JSON must be one JSON text in UTF-8; other types are not checked. */
  void checkJson(ContentType type, byte[] body) {
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

  /** application/json and any application/*+json type. */
  static boolean isJson(MediaType media) {
    return media.mainType().equals("application")
        && (media.subType().equals("json") || media.subType().endsWith("+json"));
  }
}
