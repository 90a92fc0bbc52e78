package io.actorgrid.grid.internal;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
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
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Keeps a node from accepting more records than its heap can hold, and restart with.
 *
 * Partitions keep every record in memory, so a node that accepts writes until the heap is full
 * dies of OutOfMemoryError and then cannot recover its partitions with the same heap either. The
 * guard watches the heap in use after each garbage collection. After a young collection that
 * figure still counts old garbage not collected yet, so one figure above refuse-writes-above of
 * the maximum heap is not enough: two collections in a row must leave more, or one must leave more
 * than halfway from there to a full heap (a fast fill must not outrun the guard). Then the node's
 * partitions refuse writes that add data
 * (Partition.onWrite; it is the node that hosts a partition whose heap holds it), and they accept
 * them again once a collection leaves less than resume-writes-below. A node that refuses and sees
 * no collection for a while (an idle node after deletes) asks for one, so that it notices the room.
 *
 * One guard per actor system (a Pekko extension): nodes that share a JVM in tests share its heap.
 */
public final class MemoryGuard implements Extension, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MemoryGuard.class);

  /** How long a refusing node waits for a collection before it asks for one. */
  private static final long IDLE_NANOS = Duration.ofSeconds(30).toNanos();

  public static final ExtensionId<MemoryGuard> ID =
      new ExtensionId<>() {
        @Override
        public MemoryGuard createExtension(ActorSystem<?> system) {
          GridSettings settings = GridSettings.from(system.settings().config());
          MemoryGuard guard =
              start(settings.refuseWritesAbove(), settings.resumeWritesBelow(), system);
          system.getWhenTerminated().thenRun(guard::close);
          return guard;
        }
      };

  public static MemoryGuard get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final long maxHeap;
  private final double refuseAbove;
  private final double resumeBelow;
  private final Set<String> heapPools;
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onCollection;
  private final Object lock = new Object();
  private boolean lastAbove;
  private Cancellable idleCheck;
  private volatile boolean refusing;
  private volatile long usedAfterLastCollection;
  private volatile long lastCollectionAt = System.nanoTime();

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

  private static MemoryGuard start(double refuseAbove, double resumeBelow, ActorSystem<?> system) {
    MemoryGuard guard = new MemoryGuard(refuseAbove, resumeBelow);
    if (refuseAbove >= 1) {
      log.info("The memory guard is off (actorgrid.memory.refuse-writes-above >= 1)");
      return guard;
    }
    if (guard.maxHeap <= 0) {
      log.warn("The memory guard is off: the JVM reports no maximum heap (set -Xmx)");
      return guard;
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(guard.listener, null, null);
        guard.emitters.add(emitter);
      }
    }
    guard.idleCheck =
        system
            .scheduler()
            .scheduleAtFixedRate(
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                guard::collectIfRefusingAndIdle,
                system.executionContext());
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
    long now = System.nanoTime();
    synchronized (lock) {
      usedAfterLastCollection = used;
      lastCollectionAt = now;
      double fraction = (double) used / maxHeap;
      boolean above = fraction > refuseAbove;
      boolean full = above && (lastAbove || fraction > (refuseAbove + 1) / 2);
      lastAbove = above;
      if (!refusing && full) {
        refusing = true;
        log.warn("Refusing writes that add data: {}", reason());
      } else if (refusing && fraction < resumeBelow) {
        refusing = false;
        log.info(
            "Accepting writes that add data again: the heap holds {} MiB after garbage collection",
            used >> 20);
      }
    }
  }

  private void collectIfRefusingAndIdle() {
    if (refusing && System.nanoTime() - lastCollectionAt > IDLE_NANOS) {
      // Deletes may have made room that only a collection shows; the node is idle, so one pause
      // is cheap next to refusing writes until traffic happens to cause one.
      System.gc();
    }
  }

  @Override
  public void close() {
    if (idleCheck != null) {
      idleCheck.cancel();
    }
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (ListenerNotFoundException e) {
        // already gone
      }
    }
  }
}
