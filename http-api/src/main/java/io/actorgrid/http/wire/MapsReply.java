package io.actorgrid.http.wire;

import java.util.List;

/** Body of {@code GET /v1/maps}. */
public record MapsReply(List<MapItem> maps) {
  public record MapItem(String name, long entries) {}
}
