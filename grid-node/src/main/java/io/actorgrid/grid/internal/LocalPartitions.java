package io.actorgrid.grid.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/*
 * The last durable state of every partition running on this node, so that a read of one record
 * through this node can be answered on the caller's thread, without the three actor hops (shard
 * region, shard, partition) and the reply an ask to its own node costs.
 *
 * A partition registers a Copy of its own once it has recovered, replaces the state in it before
 * it answers any write that changed the state (so a read that starts after an acknowledgement sees
 * the write), and withdraws it before it does anything else with a hand-off and when it stops. A
 * partition handed off is therefore read through sharding, which holds the request until the
 * partition runs on its new node; a request that finds no copy here takes that way too. Reads
 * answered here check the PauseFence as the partitions' own reads do (Grid.localState): a node
 * that was paused may have been removed and its partitions moved.
 *
 * The state is immutable (PartitionState), so any thread may read it.
 */
public final class LocalPartitions implements Extension {

  public static final ExtensionId<LocalPartitions> ID =
      new ExtensionId<>() {
        @Override
        public LocalPartitions createExtension(ActorSystem<?> system) {
          return new LocalPartitions(GridSettings.from(system.settings().config()).partitions());
        }
      };

  public static LocalPartitions get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** One partition's registration on this node: one per start of the partition here. */
  static final class Copy {
    private volatile PartitionState state;

    private Copy(PartitionState state) {
      this.state = state;
    }

    void update(PartitionState state) {
      this.state = state;
    }
  }

  private final AtomicReferenceArray<Copy> copies;

  private LocalPartitions(int partitions) {
    this.copies = new AtomicReferenceArray<>(partitions);
  }

  /** Registers partition {@code p}'s state on this node; the partition keeps the copy current. */
  Copy register(int p, PartitionState state) {
    Copy copy = new Copy(state);
    copies.set(p, copy);
    return copy;
  }

  /** Withdraws {@code copy}, if it is still partition {@code p}'s registration. */
  void withdraw(int p, Copy copy) {
    if (copy != null) {
      copies.compareAndSet(p, copy, null);
    }
  }

  /** The last durable state of partition {@code p} if it runs on this node, else null. */
  public PartitionState state(int p) {
    Copy copy = copies.get(p);
    return copy == null ? null : copy.state;
  }
}
