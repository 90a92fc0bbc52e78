package io.actorgrid.grid.internal;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/*
 * Keeps a node from accepting more records than its heap can hold, and restart with.
 *
 * Partitions keep every record in memory, so a node that accepts writes until the heap is full
 * dies of OutOfMemoryError and then cannot recover its partitions with the same heap either. The
 * guard watches the heap in use after each garbage collection (what remains is live data plus,
 * after a young collection, old garbage not yet collected, so the figure errs on the full side):
 * above refuse-above of the maximum heap it refuses writes that add data, and it accepts them
 * again once the figure after a collection is below resume-below. Reads and deletes never stop.
 */
public final class MemoryGuard implements AutoCloseable {

  private final long maxHeap;
  private final double refuseAbove;
  private final double resumeBelow;
  private final Set<String> heapPools;
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onCollection;
  private volatile boolean refusing;
  private volatile long usedAfterLastCollection;

  private MemoryGuard(double refuseAbove, double resumeBelow) {
    this.refuseAbove = refuseAbove;
    this.resumeBelow = resumeBelow;
    this.maxHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
    this.heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .map(MemoryPoolMXBean::getName)
            .collect(Collectors.toSet());
  }

  /** Starts watching collections; refuse-above of 1 or more switches the guard off. */
  public static MemoryGuard start(double refuseAbove, double resumeBelow) {
    MemoryGuard guard = new MemoryGuard(refuseAbove, resumeBelow);
    if (refuseAbove < 1 && guard.maxHeap > 0) {
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(guard.listener, null, null);
          guard.emitters.add(emitter);
        }
      }
    }
    return guard;
  }

  /** Whether writes that add data are refused now. */
  public boolean refusing() {
    return refusing;
  }

  /** Why writes are refused, for the error's detail. */
  public String reason() {
    return String.format(
        "the node's heap holds %d MiB after garbage collection, %.0f%% of its %d MiB maximum; it"
            + " accepts writes that add data again below %.0f%%. Delete records, or give the node"
            + " more heap (JAVA_OPTS=-Xmx...) or the cluster more nodes.",
        usedAfterLastCollection >> 20,
        100.0 * usedAfterLastCollection / maxHeap,
        maxHeap >> 20,
        100 * resumeBelow);
  }

  private void onCollection(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
        notification.getType())) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
    long used = 0;
    for (Map.Entry<String, MemoryUsage> pool :
        info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        used += pool.getValue().getUsed();
      }
    }
    usedAfterLastCollection = used;
    double fraction = (double) used / maxHeap;
    if (!refusing && fraction > refuseAbove) {
      refusing = true;
    } else if (refusing && fraction < resumeBelow) {
      refusing = false;
    }
  }

  @Override
  public void close() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (ListenerNotFoundException e) {
        // already gone
      }
    }
  }
}
