package io.actorgrid.grid.internal;

import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/**
 * The root actor of a node: it joins the cluster. With no seed nodes configured the node forms a
 * cluster of its own; otherwise it joins the first seed that answers (the first seed in the list
 * may also form a new cluster when no other seed answers, as Pekko's seed-node process does).
 */
public final class Guardian {
  private Guardian() {}

  public static Behavior<Void> create(GridSettings settings) {
    return Behaviors.setup(
        ctx -> {
          Cluster cluster = Cluster.get(ctx.getSystem());
          if (settings.seedNodes().isEmpty()) {
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
          } else {
            List<Address> seeds =
                settings.seedNodes().stream().map(Guardian::address).toList();
            cluster.manager().tell(new JoinSeedNodes(seeds));
          }
          return Behaviors.empty();
        });
  }

  private static Address address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new Address(
        "pekko",
        GridSettings.SYSTEM_NAME,
        hostPort.substring(0, colon),
        Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
