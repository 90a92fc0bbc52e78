package io.actorgrid.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.actorgrid.grid.Grid;
import io.actorgrid.grid.GridMap;
import io.actorgrid.http.auth.AuthSettings;
import io.actorgrid.http.auth.TokenStore;
import io.actorgrid.http.auth.TokenVerifier;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The HTTP API, v1. Every route calls the embedded API ({@link Grid}, {@link GridMap}), so HTTP and
 * embedded users get the same semantics; the routes only translate. Errors are problem documents
 * (see {@link Problems}); statuses follow {@link io.actorgrid.grid.GridException}.
 *
 * <p>This is the one place that composes the routes: one class per resource, each serving its own
 * paths from the root and rejecting every other path without a rejection, so their {@code concat}
 * answers as one route tree would (see {@link MapPaths}). A new resource is one more line here.
 */
public final class GridRoutes extends AllDirectives {
  private final Problems problems;
  private final RouteHelpers helpers;
  private final RequestObservation observation;
  private final TokenStore tokens;
  private final TokenVerifier verifier;
  private final Authorization authorization;

  public GridRoutes(Grid grid, HttpSettings settings) {
    // Numbers in JSON the node reads (batch values) stay exact: no rounding through doubles.
    ObjectMapper mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    this.problems = new Problems(mapper);
    Responses responses = new Responses(grid, mapper, problems);
    this.helpers =
        new RouteHelpers(
            grid,
            settings,
            problems,
            responses,
            new Bodies(grid, settings, mapper, new BodyBudget(settings.maxInFlightBodyBytes())),
            new WriteRequests(responses));
    this.observation = new RequestObservation(grid.meterRegistry());
    this.tokens = new TokenStore(grid, JsonMapper.builder().build());
    this.verifier =
        Authorization.verifierFor(AuthSettings.from(grid.system().settings().config()), tokens);
    this.authorization = new Authorization(verifier, problems);
  }

  /**
   * Every route, observed (see {@link RequestObservation}): sealed inside, so that rejections and
   * failures are measured and logged with the status the client gets.
   */
  public Route routes() {
    // Built once: the suppliers below are called for every request, and building the tree (the
    // metrics route's registry lookups included) cost about 3 % of a GET's CPU.
    Route resources =
        concat(
            new OperationRoutes(helpers).route(),
            new MetricsRoutes(helpers).route(),
            new MapRoutes(helpers).route(),
            new ListingRoutes(helpers).route(),
            new HistoryRoutes(helpers).route(),
            new EntryRoutes(helpers).route(),
            new BatchRoutes(helpers).route(),
            new ChangeRoutes(helpers).route(),
            new TokenRoutes(helpers, tokens, verifier).route());
    Route protectedResources = authorization.protect(() -> resources);
    return observation.observe(
        handleRejections(problems.rejectionHandler(), () -> protectedResources).seal());
  }
}
