/**
 * The HTTP API of a node and its main class. {@link io.actorgrid.http.Main} starts a node; {@link
 * io.actorgrid.http.GridRoutes} translates HTTP to the embedded API of {@code io.actorgrid.grid},
 * and {@link io.actorgrid.http.GridHttpServer} binds it.
 *
 * <p>{@code GridRoutes} composes one routes class per resource ({@code OperationRoutes}, {@code
 * MapRoutes}, {@code ListingRoutes}, {@code EntryRoutes}, {@code BatchRoutes}); they share helpers
 * for answers ({@code Responses}, {@code Problems}), bodies ({@code Bodies}, {@code StoredValues}),
 * conditional headers ({@code ETags}, {@code WriteRequests}) and the paths of maps ({@code
 * MapPaths}). {@code MetricsRoutes} serves {@code GET /metrics} from the registry {@code
 * PrometheusMetrics} makes; {@code RequestObservation} wraps every route to time it, give it a
 * {@code Request-Id} and log its 5xx; {@code LogEncoder} is the log format {@code logback.xml}
 * uses. {@code Authorization} checks every request's bearer token before any route runs, and {@code
 * TokenRoutes} serves {@code /v1/auth/tokens}; the tokens themselves are in {@link
 * io.actorgrid.http.auth}.
 */
package io.actorgrid.http;
