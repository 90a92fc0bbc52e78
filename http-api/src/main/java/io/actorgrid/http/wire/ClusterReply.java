package io.actorgrid.http.wire;

import java.util.List;
import java.util.Map;

/** Body of {@code GET /v1/cluster}. */
public record ClusterReply(
    String self, String leader, List<Member> members, Map<String, List<Integer>> partitions) {

  public record Member(String address, String status, List<String> roles, boolean reachable) {}
}
