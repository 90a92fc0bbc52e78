package io.actorgrid.http;

import io.actorgrid.grid.Grid;

/**
 * What every routes class is built with, made once per server by {@link GridRoutes}: the grid the
 * routes translate to, and the helpers for answers, problems, bodies and write options.
 */
record RouteHelpers(
    Grid grid,
    HttpSettings settings,
    Problems problems,
    Responses responses,
    Bodies bodies,
    WriteRequests writes) {}
