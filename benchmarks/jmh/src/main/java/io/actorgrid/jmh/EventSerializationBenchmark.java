package io.actorgrid.jmh;

import io.actorgrid.grid.internal.PartitionEvent;
import java.io.NotSerializableException;
import java.util.Arrays;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One journal event, a put of a 1 KiB value, through the serializer Pekko persistence uses for it
 * (jackson-cbor): every acknowledged write pays {@code serialize} once, every replayed event pays
 * {@code deserialize} once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class EventSerializationBenchmark {
  private ActorSystem system;
  private SerializerWithStringManifest serializer;
  private PartitionEvent.EntryPut event;
  private String manifest;
  private byte[] bytes;

  @Setup(Level.Trial)
  public void setUp() throws NotSerializableException {
    system = Fixtures.startSystem("event-serialization");
    event =
        new PartitionEvent.EntryPut(
            "users",
            "user:000042",
            Fixtures.randomBytes(new Random(42), 1024),
            Fixtures.CONTENT_TYPE,
            41,
            Fixtures.EPOCH_MILLIS,
            0,
            null,
            null,
            0);
    serializer = Fixtures.cborSerializerFor(system, event);
    manifest = Serializers.manifestFor(serializer, event);
    bytes = serializer.toBinary(event);
    var back = (PartitionEvent.EntryPut) serializer.fromBinary(bytes, manifest);
    if (!back.map().equals(event.map())
        || !back.key().equals(event.key())
        || !Arrays.equals(back.value(), event.value())
        || !back.contentType().equals(event.contentType())
        || back.previousVersion() != event.previousVersion()
        || back.timestamp() != event.timestamp()) {
      throw new IllegalStateException("EntryPut does not survive a round trip: " + back);
    }
    System.out.printf(
        "%nEntryPut with a 1024-byte value: %d bytes by %s, manifest %s%n",
        bytes.length, serializer.getClass().getSimpleName(), manifest);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    Fixtures.stop(system);
  }

  @Benchmark
  public byte[] serialize() {
    return serializer.toBinary(event);
  }

  @Benchmark
  public Object deserialize() throws NotSerializableException {
    return serializer.fromBinary(bytes, manifest);
  }
}
