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
 * @param partitions partition numbers by the address of the reachable node that hosts them, as each
 *     node's shard region answers. Partitions are listed once started; a partition that moved after
 *     a node left starts on its first request. An unreachable member's partitions are not listed
 *     (they are missing from the other nodes' lists until they have moved), nor are those of a node
 *     whose region does not answer within the request timeout (seen right after a crash).
 */
public record ClusterView(
    String self, String leader, List<Member> members, Map<String, List<Integer>> partitions) {

  /** A member of the cluster. */
  public record Member(String address, String status, Set<String> roles, boolean reachable) {}
}
