package io.actorgrid.http;

import io.actorgrid.grid.Precondition;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/*
 * Conditional headers as the routes parse them. ETags is package-private, so this benchmark
 * lives in the same package (from the benchmarks jar: split packages are fine on the class path).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ETagsBenchmark {
  // Fields, not constants, so the JIT cannot fold the parsing away.
  private String ifMatch = "\"42\"";
  private String ifNoneMatchOne = "\"42\"";
  private String ifNoneMatchList = "W/\"38\", \"39\", W/\"40\", \"41\", \"42\"";
  private long version = 42;

  /** A conditional PUT: If-Match with the version the client read. */
  @Benchmark
  public Precondition forWriteIfMatch() {
    return ETags.forWrite(ifMatch, null, true);
  }

  /** A conditional GET that hits (answered 304). */
  @Benchmark
  public boolean noneMatchHitsOne() {
    return ETags.noneMatchHits(ifNoneMatchOne, version);
  }

  /** A conditional GET with five tags, the matching one last. */
  @Benchmark
  public boolean noneMatchHitsFive() {
    return ETags.noneMatchHits(ifNoneMatchList, version);
  }
}
