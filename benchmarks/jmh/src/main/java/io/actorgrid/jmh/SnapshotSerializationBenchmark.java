package io.actorgrid.jmh;

import io.actorgrid.grid.internal.PartitionState;
import io.actorgrid.grid.internal.StoredEntry;
import java.io.NotSerializableException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.Serializers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A partition snapshot through Pekko serialization, as the snapshot store writes it ({@code
 * serialize}) and as a recovery reads it ({@code deserialize}: CBOR decoding plus rebuilding the
 * trees). The snapshot form itself is package-private in PartitionState; this is its only public
 * path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = "-Xmx4g")
public class SnapshotSerializationBenchmark {
  /** Records of 1 KiB in the partition. */
  @Param({"1000", "50000"})
  public int records;

  private ActorSystem system;
  private SerializerWithStringManifest serializer;
  private PartitionState state;
  private String manifest;
  private byte[] bytes;

  @Setup(Level.Trial)
  public void setUp() throws NotSerializableException {
    system = Fixtures.startSystem("snapshot-serialization");
    state = Fixtures.partition(records, 1024, 7);
    serializer = Fixtures.cborSerializerFor(system, state);
    manifest = Serializers.manifestFor(serializer, state);
    bytes = serializer.toBinary(state);
    check((PartitionState) serializer.fromBinary(bytes, manifest));
    System.out.printf(
        "%nSnapshot of %d records of 1024 bytes: %d bytes (%.1f per record; weight estimate %d)"
            + " by %s, manifest %s%n",
        records,
        bytes.length,
        (double) bytes.length / records,
        state.weight(),
        serializer.getClass().getSimpleName(),
        manifest);
  }

  private void check(PartitionState back) {
    boolean same =
        back.size() == state.size()
            && back.lastVersion() == state.lastVersion()
            && back.weight() == state.weight()
            && back.counts(0).equals(state.counts(0));
    for (int i = 0; same && i < records; i += Math.max(1, records / 100)) {
      StoredEntry a = state.stored(Fixtures.MAP, Fixtures.key(i)).orElseThrow();
      StoredEntry b = back.stored(Fixtures.MAP, Fixtures.key(i)).orElse(null);
      same =
          b != null
              && Arrays.equals(a.value(), b.value())
              && a.version() == b.version()
              && a.created() == b.created()
              && a.updated() == b.updated()
              && a.contentType().equals(b.contentType());
    }
    if (!same) {
      throw new IllegalStateException("the snapshot does not survive a round trip");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    Fixtures.stop(system);
  }

  @Benchmark
  public byte[] serialize() {
    return serializer.toBinary(state);
  }

  @Benchmark
  public Object deserialize() throws NotSerializableException {
    return serializer.fromBinary(bytes, manifest);
  }
}
