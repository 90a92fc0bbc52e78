/**
 * The HTTP API of a node and its main class. {@link io.actorgrid.http.Main} starts a node; {@link
 * io.actorgrid.http.GridRoutes} translates HTTP to the embedded API of {@code io.actorgrid.grid},
 * and {@link io.actorgrid.http.GridHttpServer} binds it.
 */
package io.actorgrid.http;
