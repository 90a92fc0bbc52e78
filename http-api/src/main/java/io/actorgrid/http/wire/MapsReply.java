package io.actorgrid.http.wire;

import java.util.List;

/** Body of {@code GET /v1/maps}: each map as {@code GET /v1/maps/{map}} describes it. */
public record MapsReply(List<MapReply> maps) {}
