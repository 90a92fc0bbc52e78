package io.actorgrid.grid.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Supplier;

/*
 * The node's own measurements, in the MeterRegistry the node was started with: every meter is
 * resolved once here, so the partitions' hot path only records (a timer, a counter, an array
 * slot), never looks a meter up or builds tags.
 *
 * Per-partition figures that Prometheus wants as one number per node (the most writes queued in
 * one partition, the idempotency keys held) live in one array slot per partition, written by the
 * partition actor with a plain lazySet and summed or maxed only when a scrape reads the gauge.
 *
 * Names are Micrometer's dotted form; the Prometheus registry writes them as actorgrid_..._total,
 * _seconds and _bytes. docs/operations.md lists them with what they mean.
 */
public final class GridMetrics implements AutoCloseable {
  /** Why a request was answered unavailable (HTTP 503). */
  public enum Unavailable {
    /** The partition did not answer in time: recovering, moving, or its node is gone. */
    TIMEOUT("timeout"),
    /** The partition lost its journal (a journal write or recovery failed). */
    JOURNAL_FAILURE("journal_failure"),
    /** The partition is recovering (or handed off while recovering) and holds all it can. */
    RECOVERING("recovering"),
    /** The partition holds as many queued writes as it may (partition.max-pending-writes). */
    QUEUE_FULL("queue_full"),
    /** The node was paused and the cluster has not yet confirmed it is still a member. */
    PAUSED("paused");

    final String tag;

    Unavailable(String tag) {
      this.tag = tag;
    }
  }

  private static final Duration[] LATENCY_BUCKETS =
      durations(
          0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120);

  private final MeterRegistry registry;
  private final List<Supplier<Number>> counted = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<Meter> meters = new ArrayList<>();
  private final AtomicInteger hosted = new AtomicInteger();
  private final AtomicIntegerArray queued;
  private final AtomicIntegerArray idempotencyKeys;
  private final Timer journalWrite;
  private final DistributionSummary eventsPerWrite;
  private final Timer recovery;
  private final Timer snapshot;
  private final DistributionSummary snapshotSize;
  private final Counter snapshotFailures;
  private final Counter recordsExpired;
  private final Counter[] unavailable;
  private final Counter readsSentAgain;
  private final Counter writesSentAgain;

  /**
   * @param partitions the number of partitions, so that per-partition figures have a slot each
   */
  public GridMetrics(MeterRegistry registry, int partitions) {
    this.registry = registry;
    this.queued = new AtomicIntegerArray(partitions);
    this.idempotencyKeys = new AtomicIntegerArray(partitions);
    gauge(
        "actorgrid.partitions.hosted",
        "Partitions running on this node (recovering or serving)",
        hosted::get);
    gauge(
        "actorgrid.partition.queued.writes.max",
        "The most writes waiting in one partition of this node behind its journal write in flight",
        () -> max(queued));
    gauge(
        "actorgrid.idempotency.keys",
        "Idempotency keys remembered by the partitions of this node",
        () -> sum(idempotencyKeys));
    this.journalWrite =
        add(
            Timer.builder("actorgrid.journal.write")
                .description(
                    "Journal writes of the partitions of this node, from the batch leaving the"
                        + " partition to its events being durable")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry));
    this.eventsPerWrite =
        add(
            DistributionSummary.builder("actorgrid.journal.write.events")
                .description("Events per journal write (group commit puts many in one)")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096)
                .register(registry));
    this.recovery =
        add(
            Timer.builder("actorgrid.partition.recovery")
                .description(
                    "Partition recoveries on this node, from the partition starting to its state"
                        + " being recovered from snapshot and journal")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry));
    this.snapshot =
        add(
            Timer.builder("actorgrid.snapshot")
                .description(
                    "Snapshots of the partitions of this node, from the decision to take one to"
                        + " the snapshot store confirming it")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry));
    this.snapshotSize =
        add(
            DistributionSummary.builder("actorgrid.snapshot.size")
                .description(
                    "Estimated size of the partition state each snapshot holds (the weight the"
                        + " partition keeps of its records, not the serialized bytes)")
                .baseUnit("bytes")
                .serviceLevelObjectives(
                    64 << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20, 64 << 20, 256 << 20)
                .register(registry));
    this.snapshotFailures =
        add(
            Counter.builder("actorgrid.snapshot.failures")
                .description("Snapshots that the snapshot store failed to save")
                .register(registry));
    this.recordsExpired =
        add(
            Counter.builder("actorgrid.records.expired")
                .description("Records removed by their time to live (expired events written)")
                .register(registry));
    this.readsSentAgain = sentAgain(registry, "read");
    this.writesSentAgain = sentAgain(registry, "write");
    Unavailable[] causes = Unavailable.values();
    this.unavailable = new Counter[causes.length];
    for (Unavailable cause : causes) {
      unavailable[cause.ordinal()] =
          add(
              Counter.builder("actorgrid.unavailable")
                  .description(
                      "Requests answered unavailable (HTTP 503), by cause: timeouts where the"
                          + " request was asked, refusals where the partition runs")
                  .tag("cause", cause.tag)
                  .register(registry));
    }
  }

  private Counter sentAgain(MeterRegistry registry, String kind) {
    return add(
        Counter.builder("actorgrid.requests.sent.again")
            .description(
                "Requests this node sent to a partition again within their request timeout: the"
                    + " attempt before got no answer in time (lost while the partition moved, or"
                    + " slow), or the partition refused it untried while recovering")
            .tag("kind", kind)
            .register(registry));
  }

  /** A request to a partition is sent again; {@code write} for writes, else a read. */
  void sentAgain(boolean write) {
    (write ? writesSentAgain : readsSentAgain).increment();
  }

  /** Metrics that go nowhere: for tests of single actors. */
  public static GridMetrics disabled() {
    return new GridMetrics(new CompositeMeterRegistry(), 0);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Registers a gauge that this object removes again on {@link #close}. */
  public void gauge(String name, String description, Supplier<Number> value) {
    add(
        Gauge.builder(name, value)
            .description(description)
            .strongReference(true)
            .register(registry));
  }

  /**
   * Registers a counter read from {@code value} (a count that only grows), removed again on {@link
   * #close}.
   */
  public void counter(String name, String description, Supplier<Number> value) {
    add(
        io.micrometer.core.instrument.FunctionCounter.builder(
                name, value, v -> v.get().doubleValue())
            .description(description)
            .register(registry));
    // A function counter holds its object weakly, and nothing else holds the supplier.
    counted.add(value);
  }

  /** As {@link #gauge(String, String, Supplier)}, with one tag. */
  public void gauge(
      String name, String description, String tag, String tagValue, Supplier<Number> value) {
    add(
        Gauge.builder(name, value)
            .description(description)
            .tag(tag, tagValue)
            .strongReference(true)
            .register(registry));
  }

  void partitionStarted() {
    hosted.incrementAndGet();
  }

  void partitionStopped(int partition) {
    hosted.decrementAndGet();
    queued(partition, 0);
    idempotencyKeys(partition, 0);
  }

  void queued(int partition, int writes) {
    if (partition >= 0 && partition < queued.length()) {
      queued.lazySet(partition, writes);
    }
  }

  void idempotencyKeys(int partition, int keys) {
    if (partition >= 0 && partition < idempotencyKeys.length()) {
      idempotencyKeys.lazySet(partition, keys);
    }
  }

  void journalWritten(long nanos, int events) {
    journalWrite.record(nanos, TimeUnit.NANOSECONDS);
    eventsPerWrite.record(events);
  }

  void recovered(long nanos) {
    recovery.record(nanos, TimeUnit.NANOSECONDS);
  }

  void snapshotSaved(long nanos, long estimatedBytes) {
    snapshot.record(nanos, TimeUnit.NANOSECONDS);
    snapshotSize.record(estimatedBytes);
  }

  void snapshotFailed() {
    snapshotFailures.increment();
  }

  void recordsExpired(int records) {
    recordsExpired.increment(records);
  }

  public void unavailable(Unavailable cause) {
    unavailable[cause.ordinal()].increment();
  }

  /** Removes this node's meters from the registry, which may outlive the node. */
  @Override
  public void close() {
    synchronized (meters) {
      meters.forEach(registry::remove);
      meters.clear();
    }
  }

  private <M extends Meter> M add(M meter) {
    synchronized (meters) {
      meters.add(meter);
    }
    return meter;
  }

  private static int max(AtomicIntegerArray values) {
    int max = 0;
    for (int i = 0; i < values.length(); i++) {
      max = Math.max(max, values.get(i));
    }
    return max;
  }

  private static long sum(AtomicIntegerArray values) {
    long sum = 0;
    for (int i = 0; i < values.length(); i++) {
      sum += values.get(i);
    }
    return sum;
  }

  private static Duration[] durations(double... seconds) {
    Duration[] out = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      out[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
    }
    return out;
  }
}
