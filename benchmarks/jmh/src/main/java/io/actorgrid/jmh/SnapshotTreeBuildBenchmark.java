package io.actorgrid.jmh;

import io.actorgrid.grid.internal.StoredEntry;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import scala.Tuple2;
import scala.collection.immutable.TreeMap;
import scala.collection.immutable.TreeMap$;
import scala.math.Ordering;
import scala.math.Ordering$;

/*
 * The tree-building half of reading a snapshot, isolated: PartitionState.fromSnapshot (which is
 * package-private, so `updatedLoop` repeats its loop here) turns each map's sorted list of
 * records into a TreeMap by calling `updated` once per record, copying a root-to-leaf path each
 * time. `builder` builds the same tree with Scala's TreeMap builder, which inserts in place and
 * publishes the tree once. Compare both with SnapshotSerializationBenchmark.deserialize to see
 * what share of a recovery's snapshot load the tree costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = "-Xmx4g")
public class SnapshotTreeBuildBenchmark {
  private static final Ordering<String> ORDER =
      Ordering$.MODULE$.comparatorToOrdering(Comparator.<String>naturalOrder());

  /** Records in the snapshot's one map. */
  @Param({"1000", "50000"})
  public int records;

  private List<StoredEntry> sorted;

  @Setup
  public void setUp() {
    // In key order, as a snapshot stores them.
    var state = Fixtures.partition(records, 1024, 7);
    sorted = state.list(Fixtures.MAP, "", null, records, true, 0).entries();
    if (sorted.size() != records
        || updatedLoop().size() != records
        || builder().size() != records) {
      throw new IllegalStateException("the trees do not hold " + records + " records");
    }
  }

  @Benchmark
  public TreeMap<String, StoredEntry> updatedLoop() {
    TreeMap<String, StoredEntry> entries = new TreeMap<>(ORDER);
    for (StoredEntry e : sorted) {
      entries = entries.updated(e.key(), e);
    }
    return entries;
  }

  @Benchmark
  public TreeMap<String, StoredEntry> builder() {
    var builder = TreeMap$.MODULE$.<String, StoredEntry>newBuilder(ORDER);
    for (StoredEntry e : sorted) {
      builder.addOne(new Tuple2<>(e.key(), e));
    }
    return builder.result();
  }
}
