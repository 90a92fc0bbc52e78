package io.actorgrid.http.wire;

/** Body of a successful PUT. */
public record WriteReply(String map, String key, long version) {}
