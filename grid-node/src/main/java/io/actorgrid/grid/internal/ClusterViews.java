package io.actorgrid.grid.internal;

import io.actorgrid.grid.ClusterView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The cluster as this node sees it (see {@code Grid.cluster}): its members from the cluster state,
 * and the partitions each reachable member's shard region says it hosts. Regions are asked, not the
 * shard coordinator, whose cluster-wide statistics answer nothing while any member is unreachable.
 */
public final class ClusterViews {
  private ClusterViews() {}

  public static CompletionStage<ClusterView> of(
      ActorSystem<?> system, GridSettings settings, Executor executor) {
    Cluster cluster = Cluster.get(system);
    var state = cluster.state();
    List<ClusterView.Member> members = new ArrayList<>();
    for (Member m : state.getMembers()) {
      members.add(
          new ClusterView.Member(
              m.address().toString(),
              m.status().toString(),
              Set.copyOf(m.getRoles()),
              !state.getUnreachable().contains(m)));
    }
    String leader = state.getLeader() == null ? null : state.getLeader().toString();
    Map<String, CompletableFuture<List<Integer>>> hosted = new TreeMap<>();
    for (Member m : state.getMembers()) {
      if (!state.getUnreachable().contains(m)) {
        hosted.put(
            m.address().toString(),
            PartitionRequests.hostedBy(system, m.address(), settings.requestTimeout(), executor));
      }
    }
    return CompletableFuture.allOf(hosted.values().toArray(CompletableFuture[]::new))
        .handleAsync(
            (ignored, error) -> {
              Map<String, List<Integer>> partitions = new TreeMap<>();
              hosted.forEach(
                  (address, reply) -> {
                    if (!reply.isCompletedExceptionally() && !reply.join().isEmpty()) {
                      partitions.put(address, reply.join());
                    }
                  });
              return new ClusterView(
                  cluster.selfMember().address().toString(), leader, members, partitions);
            },
            executor);
  }
}
