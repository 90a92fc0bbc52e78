package io.actorgrid.jmh;

import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.PartitionEvent;
import io.actorgrid.grid.internal.PartitionState;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Data and infrastructure the benchmarks share. Everything is generated from fixed seeds so that
 * two runs measure the same bytes.
 */
final class Fixtures {
  private Fixtures() {}

  static final String MAP = "bench";
  static final String CONTENT_TYPE = "application/octet-stream";
  static final long EPOCH_MILLIS = 1_700_000_000_000L;

  /** Key number {@code i}: fixed width, so that "key-" plus 4 digits is a prefix of 100 keys. */
  static String key(int i) {
    return String.format("key-%06d", i);
  }

  static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  /** The numbers 0 .. n-1 in a random order. */
  static int[] shuffled(Random random, int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /**
   * A partition holding {@code records} records of {@code valueBytes} random bytes each in map
   * {@link #MAP}, with keys {@link #key}(0 .. records-1), built the way a journal replay builds it:
   * by applying one put event per record, in a random key order.
   */
  static PartitionState partition(int records, int valueBytes, long seed) {
    Random random = new Random(seed);
    PartitionState state = PartitionState.EMPTY;
    for (int i : shuffled(random, records)) {
      long version = state.lastVersion() + 1;
      var put =
          new PartitionEvent.EntryPut(
              MAP,
              key(i),
              randomBytes(random, valueBytes),
              CONTENT_TYPE,
              0,
              EPOCH_MILLIS + version,
              0,
              null,
              null,
              0);
      state = state.apply(put, version);
    }
    if (state.size() != records) {
      throw new IllegalStateException("built " + state.size() + " records, wanted " + records);
    }
    return state;
  }

  /**
   * A classic actor system with the local provider, so no cluster or remoting starts: it exists
   * only to host the serialization extension with the bindings of every reference.conf on the class
   * path (in the uber-jar they are appended into one). System properties still override.
   */
  static ActorSystem startSystem(String name) {
    return ActorSystem.create(
        name,
        ConfigFactory.load(
            ConfigFactory.parseString(
                """
                pekko.actor.provider = local
                pekko.loglevel = WARNING
                pekko.loggers = ["org.apache.pekko.event.Logging$DefaultLogger"]
                pekko.logging-filter = "org.apache.pekko.event.DefaultLoggingFilter"
                pekko.log-dead-letters = off
                """)));
  }

  static void stop(ActorSystem system) throws Exception {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * The serializer Pekko picks for {@code message}; it must be the jackson-cbor binding from the
   * serialization module's reference.conf. If that file was lost (a shading mistake), failing here
   * is better than measuring Java serialization or an error path.
   */
  static SerializerWithStringManifest cborSerializerFor(ActorSystem system, Object message) {
    Serialization serialization = SerializationExtension.get(system);
    Serializer serializer = serialization.findSerializerFor(message);
    if (!(serializer instanceof SerializerWithStringManifest withManifest)
        || !serializer.getClass().getName().endsWith("JacksonCborSerializer")) {
      throw new IllegalStateException(
          message.getClass().getName()
              + " is serialized by "
              + serializer.getClass().getName()
              + " (id "
              + serializer.identifier()
              + "), not jackson-cbor: is the serialization module's reference.conf on the"
              + " class path?");
    }
    return withManifest;
  }
}
