package io.actorgrid.grid;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cluster as this node sees it.
 *
 * @param self this node's address
 * @param leader the cluster leader's address, null when there is none
 * @param members every member with its status ({@code Joining}, {@code Up}, {@code Leaving}, ...)
 * @param partitions partition numbers by the address of the node that hosts them. Partitions are
 *     listed once started; a partition that moved after a node left starts on its first request.
 *     While any member is unreachable the shard coordinator answers nothing, and this map is empty.
 */
public record ClusterView(
    String self, String leader, List<Member> members, Map<String, List<Integer>> partitions) {

  /** A member of the cluster. */
  public record Member(String address, String status, Set<String> roles, boolean reachable) {}
}
