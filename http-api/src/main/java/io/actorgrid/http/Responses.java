package io.actorgrid.http;

import static org.apache.pekko.http.javadsl.server.Directives.completeWithFuture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.actorgrid.grid.Grid;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * How every route answers: the response of an operation of the embedded API, or the problem for its
 * failure; JSON replies written with the API's one mapper.
 */
final class Responses {
  private final Grid grid;
  private final ObjectMapper mapper;
  private final Problems problems;

  Responses(Grid grid, ObjectMapper mapper, Problems problems) {
    this.grid = grid;
    this.mapper = mapper;
    this.problems = problems;
  }

  /**
   * Completes with the stage's response, or the problem for its failure. Failures thrown while
   * building the stage (invalid input) are answered the same way.
   */
  Route respond(Supplier<CompletionStage<HttpResponse>> action) {
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

  HttpResponse json(int status, String body) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  String toJson(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
