package io.actorgrid.jmh;

import io.actorgrid.grid.internal.Partitioner;
import java.nio.charset.StandardCharsets;
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

/**
 * Key hashing: every request hashes its (map, key) once to find its partition. {@code utf8Encode}
 * is a baseline: the share of {@code partitionOf} spent encoding the key before MurmurHash3 runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class PartitionerBenchmark {
  /** Characters of the key (ASCII, so also its UTF-8 bytes): a typical id, and 1 KiB. */
  @Param({"16", "1024"})
  public int keyLength;

  private final Partitioner partitioner = new Partitioner(128);
  private final String map = "users";
  private String key;

  @Setup
  public void setUp() {
    StringBuilder sb = new StringBuilder("user:");
    for (int i = 0; sb.length() < keyLength; i++) {
      sb.append((char) ('a' + (i * 7) % 26));
    }
    key = sb.toString();
  }

  @Benchmark
  public int partitionOf() {
    return partitioner.partitionOf(map, key);
  }

  @Benchmark
  public byte[] utf8Encode() {
    return key.getBytes(StandardCharsets.UTF_8);
  }
}
