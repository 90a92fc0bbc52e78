package io.actorgrid.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.actorgrid.grid.GridException;
import io.actorgrid.grid.GridUnavailableException;
import io.actorgrid.http.wire.Problem;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/** Error responses as {@code application/problem+json} (RFC 9457). */
final class Problems {
  static final ContentType PROBLEM_JSON =
      MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8).toContentType();

  /** Seconds a client should wait before retrying a 503. */
  static final long RETRY_AFTER_SECONDS = 1;

  private final ObjectMapper mapper;

  Problems(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  HttpResponse problem(int status, String title, String detail) {
    byte[] body;
    try {
      body = mapper.writeValueAsBytes(new Problem("about:blank", title, status, detail));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    HttpResponse response =
        HttpResponse.create()
            .withStatus(StatusCodes.get(status))
            .withEntity(HttpEntities.create(PROBLEM_JSON, body));
    if (status == 503) {
      response = response.addHeader(RetryAfter.create(RETRY_AFTER_SECONDS));
    }
    return response;
  }

  HttpResponse badRequest(String detail) {
    return problem(400, "Invalid request", detail);
  }

  /**
   * The response for an operation that failed; anything unexpected is a 500 that carries its
   * failure for the log ({@link RequestObservation#FAILURE}).
   */
  HttpResponse forFailure(Throwable failure, long maxValueBytes) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof GridException e) {
      return problem(e.httpStatus(), e.title(), e.getMessage());
    }
    if (cause instanceof EntityStreamSizeException e) {
      // Routes that read a body answer with their own limit (Bodies); this is a body that
      // Pekko's backstop (pekko.http.server.parsing.max-content-length) refused.
      return problem(
          413,
          "Request too large",
          "the body exceeds "
              + e.limit()
              + " bytes. Values may have at most "
              + maxValueBytes
              + " bytes (actorgrid.limits.max-value-bytes).");
    }
    if (cause instanceof EntityStreamException e) {
      return badRequest("the request body could not be read: " + e.getMessage());
    }
    if (cause instanceof java.util.concurrent.TimeoutException) {
      GridUnavailableException e =
          new GridUnavailableException("the request timed out inside the node; retry shortly");
      return problem(e.httpStatus(), e.title(), e.getMessage());
    }
    // Logged with its stack trace by RequestObservation, once, with the request it failed.
    return problem(500, "Internal error", "an unexpected error occurred; it has been logged")
        .addAttribute(RequestObservation.FAILURE, cause);
  }

  /** Pekko's own rejections (no route, wrong method, ...) with their status, as problems. */
  RejectionHandler rejectionHandler() {
    return RejectionHandler.defaultHandler()
        .mapRejectionResponse(
            response -> {
              if (response.entity().getContentType().equals(PROBLEM_JSON)) {
                return response;
              }
              String detail =
                  response.entity() instanceof HttpEntity.Strict strict
                      ? strict.getData().decodeString(StandardCharsets.UTF_8)
                      : response.status().reason();
              StatusCode status = response.status();
              return problem(status.intValue(), status.reason(), detail)
                  .addHeaders(response.getHeaders());
            });
  }
}
