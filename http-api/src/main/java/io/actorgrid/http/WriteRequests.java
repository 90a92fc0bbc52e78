package io.actorgrid.http;

import static org.apache.pekko.http.javadsl.server.Directives.extractRequestEntity;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;

import io.actorgrid.grid.InvalidRequestException;
import io.actorgrid.grid.WriteOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The options of a write from its headers and query: If-Match / If-None-Match (see {@link ETags}),
 * {@code ?ttl=} and Idempotency-Key, and the request's token as the writer (see {@link
 * Authorization}). A mistake in any of them is answered before the write starts.
 */
final class WriteRequests {
  private final Responses responses;

  WriteRequests(Responses responses) {
    this.responses = responses;
  }

  /** A write with a body: its options (see {@link #options}), its entity, its response. */
  Route withBody(
      boolean isPut,
      boolean takesTtl,
      BiFunction<WriteOptions, HttpEntity, CompletionStage<HttpResponse>> action) {
    return options(
        isPut,
        takesTtl,
        options ->
            extractRequestEntity(entity -> responses.respond(() -> action.apply(options, entity))));
  }

  /**
   * The write's options for the inner route; isPut allows If-None-Match: *, takesTtl allows ?ttl=.
   */
  Route options(boolean isPut, boolean takesTtl, Function<WriteOptions, Route> inner) {
    return Authorization.principal(
        principal ->
            headerOptions(
                isPut,
                takesTtl,
                options -> inner.apply(Authorization.options(options, principal))));
  }

  private Route headerOptions(
      boolean isPut, boolean takesTtl, Function<WriteOptions, Route> inner) {
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
                                    return responses.respond(
                                        () -> CompletableFuture.failedFuture(e));
                                  }
                                  return inner.apply(options);
                                }))));
  }
}
