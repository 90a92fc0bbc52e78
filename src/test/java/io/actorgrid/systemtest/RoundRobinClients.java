package io.actorgrid.systemtest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The nodes a client may send requests to, as a load balancer in front of a cluster sees them: each
 * {@link #get} returns the client of the next node in turn. The test adds a node once it is ready
 * and removes it once it has exited, as a health-checking load balancer would; between a signal and
 * the exit, requests still reach the dying node and fail as they fail for a real client.
 *
 * <p>A node gets a fresh {@link GridHttpClient} each time it is added, so no pooled connection to a
 * previous incarnation of a restarted node survives.
 */
final class RoundRobinClients implements Supplier<GridHttpClient> {

  private record Target(NodeProcess node, GridHttpClient client) {}

  private final List<Target> targets = new CopyOnWriteArrayList<>();
  private final AtomicLong next = new AtomicLong();

  /** Starts sending requests to {@code node} too. */
  void add(NodeProcess node) {
    remove(node);
    targets.add(new Target(node, new GridHttpClient(node.baseUri())));
  }

  /** Stops sending new requests to {@code node}; requests in flight finish as they do. */
  void remove(NodeProcess node) {
    targets.removeIf(target -> target.node() == node);
  }

  /** The nodes requests go to now. */
  List<NodeProcess> nodes() {
    return targets.stream().map(Target::node).toList();
  }

  /** The client of the next node in turn. */
  @Override
  public GridHttpClient get() {
    List<Target> snapshot = List.copyOf(targets);
    if (snapshot.isEmpty()) {
      throw new IllegalStateException("no live node to send requests to");
    }
    int index = (int) Math.floorMod(next.getAndIncrement(), (long) snapshot.size());
    return snapshot.get(index).client();
  }
}
