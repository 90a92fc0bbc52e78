package io.actorgrid.http.wire;

/** Body of {@code POST /v1/maps/{map}:clear}. */
public record ClearReply(String map, long removed) {}
