package io.actorgrid.jmh;

import io.actorgrid.grid.internal.PartitionEvent;
import io.actorgrid.grid.internal.PartitionState;
import io.actorgrid.grid.internal.StoredEntry;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
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

/*
 * Operations on one partition's state, which the partition actor runs one at a time: every write
 * applies an event (in the journal actor, and again on replay), every read is a get, list or
 * counts. The state is immutable, so each apply returns a new state and the benchmark state
 * never changes; the keys each call uses rotate through a shuffled table so that lookups walk
 * different paths of the tree, as requests for random keys do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "-Xmx4g")
public class PartitionStateBenchmark {
  /** Records of 1 KiB in the partition. */
  @Param({"1000", "100000"})
  public int records;

  private static final int TABLE = 4096;

  private PartitionState state;
  private long nextVersion;
  private final PartitionEvent.EntryPut[] overwrites = new PartitionEvent.EntryPut[TABLE];
  private final PartitionEvent.EntryPut[] inserts = new PartitionEvent.EntryPut[TABLE];
  private final String[] keys = new String[TABLE];
  private final String[] prefixes = new String[TABLE];

  /** Each thread's position in the tables. */
  @State(Scope.Thread)
  public static class Cursor {
    private int next;

    int next() {
      return next++ & (TABLE - 1);
    }
  }

  @Setup
  public void setUp() {
    state = Fixtures.partition(records, 1024, 11);
    nextVersion = state.lastVersion() + 1;
    Random random = new Random(13);
    for (int i = 0; i < TABLE; i++) {
      int n = random.nextInt(records);
      keys[i] = Fixtures.key(n);
      overwrites[i] = put(keys[i], random, n + 1);
      // Sorts right after an existing key, so inserts land all over the tree, not at one end.
      inserts[i] = put(Fixtures.key(random.nextInt(records)) + "-new", random, 0);
      // "key-" plus 4 of the 6 digits: the 100 keys of one block of 100.
      prefixes[i] = Fixtures.key(random.nextInt(records / 100) * 100).substring(0, 8);
    }
    var page = state.list(Fixtures.MAP, prefixes[0], null, 100, false, 0);
    if (page.entries().size() != 100 || page.more()) {
      throw new IllegalStateException("prefix " + prefixes[0] + " lists " + page);
    }
  }

  private static PartitionEvent.EntryPut put(String key, Random random, long previousVersion) {
    return new PartitionEvent.EntryPut(
        Fixtures.MAP,
        key,
        Fixtures.randomBytes(random, 1024),
        Fixtures.CONTENT_TYPE,
        previousVersion,
        Fixtures.EPOCH_MILLIS,
        0,
        null,
        null,
        0);
  }

  /** Replaces an existing record (an update). */
  @Benchmark
  public PartitionState applyPutExisting(Cursor c) {
    return state.apply(overwrites[c.next()], nextVersion);
  }

  /** Adds a record (a create). */
  @Benchmark
  public PartitionState applyPutNew(Cursor c) {
    return state.apply(inserts[c.next()], nextVersion);
  }

  @Benchmark
  public Optional<StoredEntry> get(Cursor c) {
    return state.stored(Fixtures.MAP, keys[c.next()]);
  }

  /** One page of 100 keys under a prefix, without values (the HTTP API's default). */
  @Benchmark
  public PartitionState.Listing list100WithPrefix(Cursor c) {
    return state.list(Fixtures.MAP, prefixes[c.next()], null, 100, false, 0);
  }

  @Benchmark
  public Map<String, Long> counts() {
    return state.counts(0);
  }
}
