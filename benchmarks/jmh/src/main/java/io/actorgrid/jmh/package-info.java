/**
 * JMH benchmarks of ActorGrid's hot code, run from the uber-jar {@code target/benchmarks.jar} (see
 * this module's README for the command and the last figures). Start with {@link
 * io.actorgrid.jmh.PartitionStateBenchmark}; {@link io.actorgrid.jmh.Fixtures} builds the data and
 * the actor system they share. The ETag benchmark sits in {@code io.actorgrid.http} because the
 * class it measures is package-private there.
 */
package io.actorgrid.jmh;
