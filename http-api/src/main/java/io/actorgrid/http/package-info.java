/**
 * The HTTP API of a node and its main class. {@link io.actorgrid.http.Main} starts a node; {@link
 * io.actorgrid.http.GridRoutes} translates HTTP to the embedded API of {@code io.actorgrid.grid},
 * and {@link io.actorgrid.http.GridHttpServer} binds it.
 *
 * <p>{@code GridRoutes} composes one routes class per resource ({@code OperationRoutes}, {@code
 * MapRoutes}, {@code ListingRoutes}, {@code EntryRoutes}, {@code BatchRoutes}); they share helpers
 * for answers ({@code Responses}, {@code Problems}), bodies ({@code Bodies}, {@code StoredValues}),
 * conditional headers ({@code ETags}, {@code WriteRequests}) and the paths of maps ({@code
 * MapPaths}).
 */
package io.actorgrid.http;
