package io.actorgrid.http.wire;

/** Body of {@code POST /v1/maps/{map}/entries/{key}:increment}: the counter after the increment. */
public record CounterReply(String map, String key, long value, long version) {}
