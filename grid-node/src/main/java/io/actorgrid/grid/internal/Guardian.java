package io.actorgrid.grid.internal;

import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * The root actor of a node: it forms or joins the cluster, by cluster bootstrap when enabled, else
 * as a cluster of its own when no seed nodes are configured (with seed nodes, Pekko's seed-node
 * process joins them).
 *
 * <p>It also guards the embedded journals (H2, RocksDB): they are files of this node, so a second
 * node would write the same partitions to another journal and clients would see two diverging
 * grids. When another member comes up while this node uses one, the node shuts down rather than
 * serve.
 */
public final class Guardian {
  private Guardian() {}

  public static Behavior<ClusterEvent.MemberUp> create(GridSettings settings) {
    return Behaviors.setup(
        ctx -> {
          Cluster cluster = Cluster.get(ctx.getSystem());
          if (settings.bootstrap()) {
            PekkoManagement.get(ctx.getSystem()).start();
            ClusterBootstrap.get(ctx.getSystem()).start();
          } else if (settings.seedNodes().isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
          }
          // Otherwise pekko.cluster.seed-nodes (set by NodeConfig) joins the seeds.
          if (!settings.journal().shared()) {
            cluster
                .subscriptions()
                .tell(Subscribe.create(ctx.getSelf(), ClusterEvent.MemberUp.class));
          }
          return Behaviors.receive(ClusterEvent.MemberUp.class)
              .onMessage(
                  ClusterEvent.MemberUp.class,
                  up -> {
                    if (!up.member().equals(cluster.selfMember())) {
                      ctx.getLog()
                          .error(
                              "Node {} joined this node's cluster, but this node keeps its journal"
                                  + " in local {} files that other nodes cannot share. Shutting"
                                  + " down. Run clusters on a shared journal: GRID_JOURNAL=postgres"
                                  + " or cassandra.",
                              up.member().address(),
                              settings.journal());
                      CoordinatedShutdown.get(ctx.getSystem())
                          .run(CoordinatedShutdown.unknownReason());
                    }
                    return Behaviors.same();
                  })
              .build();
        });
  }
}
