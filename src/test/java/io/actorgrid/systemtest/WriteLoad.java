package io.actorgrid.systemtest;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Writer threads that each own a set of keys and PUT them in turn, one request at a time, a
 * distinct JSON value per write, recording every outcome in the keys' {@link KeyHistory}.
 *
 * <p>200 and 201 are acknowledgements. 503 and connection errors are "not acknowledged": expected
 * while the node is overloaded or being killed, never a failure of the load. Anything else (a 4xx
 * for a well-formed request, a 500, an acknowledgement without a version, a version that went
 * backwards) is an unexpected outcome that the test reports.
 *
 * <p>Each request goes to the node the client supplier names, so against a cluster the writers
 * spread over its nodes round-robin ({@link RoundRobinClients}). With {@link Settings#readBack} a
 * writer reads the key back after each write, through the next node: a read that misses an
 * acknowledged write (older version, other value, 404) is an unexpected outcome too.
 *
 * <p>The load is bounded in writes and in time even if nobody stops it.
 */
final class WriteLoad {

  /**
   * How the writers behave: whether they read back, and the bounds that stop a load nobody stops.
   */
  record Settings(boolean readBack, int maxWritesPerWriter, Duration maxRunTime) {
    /** Writes only, at most 50,000 per writer and 3 minutes. */
    static final Settings WRITES_ONLY = new Settings(false, 50_000, Duration.ofMinutes(3));

    /** A write then a read of the same key per step, for at most {@code maxRunTime}. */
    static Settings writeAndReadBack(Duration maxRunTime) {
      return new Settings(true, 200_000, maxRunTime);
    }
  }

  /** A writer waits for its in-flight request, which the client times out. */
  private static final Duration JOIN_TIMEOUT = GridHttpClient.REQUEST_TIMEOUT.plusSeconds(20);

  /**
   * Pacing after a refused or failed write, so a dead node does not turn the writers into a busy
   * loop of connection attempts (each adding an unresolved write). Not used for synchronization.
   */
  private static final Duration PAUSE_AFTER_FAILURE = Duration.ofMillis(20);

  private static final int MAX_REPORTED_UNEXPECTED = 20;

  private final Supplier<GridHttpClient> clients;
  private final String map;
  private final int run;
  private final Settings settings;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final LongAdder acknowledged = new LongAdder();
  private final LongAdder notAcknowledged = new LongAdder();
  private final LongAdder unavailable = new LongAdder(); // 503s of writes and reads
  private final LongAdder connectionErrors = new LongAdder(); // of writes and reads
  private final LongAdder reads = new LongAdder(); // answered 200 or 404
  private final LongAdder readsNotAnswered = new LongAdder();
  private final LongAdder unexpectedCount = new LongAdder();
  private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
  private final List<Thread> writers = new ArrayList<>();

  private WriteLoad(Supplier<GridHttpClient> clients, String map, int run, Settings settings) {
    this.clients = clients;
    this.map = map;
    this.run = run;
    this.settings = settings;
  }

  /**
   * Starts one writer thread per element of {@code keysPerWriter}; writer {@code w} writes only the
   * keys of element {@code w}. {@code run} goes into every value so values stay distinct across
   * runs over the same keys.
   */
  static WriteLoad start(
      GridHttpClient client, String map, List<List<KeyHistory>> keysPerWriter, int run) {
    return start(() -> client, map, keysPerWriter, run, Settings.WRITES_ONLY);
  }

  /**
   * Like {@link #start(GridHttpClient, String, List, int)}, each request through {@code clients}.
   */
  static WriteLoad start(
      Supplier<GridHttpClient> clients,
      String map,
      List<List<KeyHistory>> keysPerWriter,
      int run,
      Settings settings) {
    WriteLoad load = new WriteLoad(clients, map, run, settings);
    for (int w = 0; w < keysPerWriter.size(); w++) {
      int writer = w;
      List<KeyHistory> keys = keysPerWriter.get(w);
      Thread thread = new Thread(() -> load.write(writer, keys), "writer-" + run + "-" + w);
      // A writer stuck in a request must not keep the test JVM alive.
      thread.setDaemon(true);
      load.writers.add(thread);
    }
    load.writers.forEach(Thread::start);
    return load;
  }

  private void write(int writer, List<KeyHistory> keys) {
    Instant giveUpAt = Instant.now().plus(settings.maxRunTime());
    try {
      for (int seq = 0;
          seq < settings.maxWritesPerWriter()
              && !stopping.get()
              && Instant.now().isBefore(giveUpAt);
          seq++) {
        KeyHistory key = keys.get(seq % keys.size());
        String value = "{\"thread\":" + writer + ",\"run\":" + run + ",\"seq\":" + seq + "}";
        boolean answered = writeOnce(key, value);
        if (settings.readBack()) {
          answered &= readOnce(key);
        }
        if (!answered) {
          Thread.sleep(PAUSE_AFTER_FAILURE.toMillis());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      reportUnexpected("writer " + writer + " crashed: " + e);
    }
  }

  /** One PUT; returns whether the node acknowledged it. */
  private boolean writeOnce(KeyHistory key, String value) throws InterruptedException {
    HttpResponse<String> response;
    try {
      response = clients.get().put(map, key.key(), "application/json", value);
    } catch (IOException connectionErrorOrTimeout) {
      key.unresolved(value);
      notAcknowledged.increment();
      connectionErrors.increment();
      return false;
    } catch (InterruptedException e) {
      key.unresolved(value);
      throw e;
    }
    int status = response.statusCode();
    OptionalLong version = GridHttpClient.version(response);
    if ((status == 200 || status == 201) && version.isPresent()) {
      acknowledged.increment();
      if (!key.acknowledged(value, version.getAsLong())) {
        reportUnexpected(
            key.key() + ": acknowledged version did not increase: " + describe(response));
      }
      return true;
    }
    // A 500 or an acknowledgement without a version may still have changed the record.
    key.unresolved(value);
    notAcknowledged.increment();
    if (status == 503) {
      unavailable.increment();
    } else {
      reportUnexpected(describe(response));
    }
    return false;
  }

  /**
   * One GET of the key the writer just wrote; returns whether a node answered it. The writer owns
   * the key, so its history is complete up to this read.
   */
  private boolean readOnce(KeyHistory key) throws InterruptedException {
    HttpResponse<String> response;
    try {
      response = clients.get().get(map, key.key());
    } catch (IOException connectionErrorOrTimeout) {
      readsNotAnswered.increment();
      connectionErrors.increment();
      return false;
    }
    if (response.statusCode() == 503) {
      readsNotAnswered.increment();
      unavailable.increment();
      return false;
    }
    reads.increment();
    key.checkRead(response.statusCode(), GridHttpClient.version(response), response.body())
        .ifPresent(violation -> reportUnexpected("read " + violation + ": " + describe(response)));
    return true;
  }

  private static String describe(HttpResponse<String> response) {
    return GridHttpClient.describe(response).replace('\n', ' ');
  }

  private void reportUnexpected(String what) {
    unexpectedCount.increment();
    if (unexpected.size() < MAX_REPORTED_UNEXPECTED) {
      unexpected.add(what);
    }
  }

  /** Writes acknowledged so far; safe to poll while the load runs. */
  long acknowledged() {
    return acknowledged.sum();
  }

  /** 503 answers to writes and reads so far. */
  long unavailable() {
    return unavailable.sum();
  }

  /** Writes and reads that failed with a connection error or a client timeout so far. */
  long connectionErrors() {
    return connectionErrors.sum();
  }

  /** Whether every writer is still writing (none hit its bounds or crashed). */
  boolean allWritersRunning() {
    return writers.stream().allMatch(Thread::isAlive);
  }

  /**
   * Stops the writers after their in-flight request and waits for them. Afterwards the key
   * histories are complete: every write is either acknowledged or unresolved.
   */
  void stop() throws InterruptedException {
    stopping.set(true);
    for (Thread writer : writers) {
      writer.join(JOIN_TIMEOUT.toMillis());
      if (writer.isAlive()) {
        throw new AssertionError(writer.getName() + " did not finish within " + JOIN_TIMEOUT);
      }
    }
  }

  /** Unexpected outcomes (at most the first 20, and how many there were in all). */
  List<String> unexpectedOutcomes() {
    List<String> outcomes = new ArrayList<>(unexpected);
    long more = unexpectedCount.sum() - outcomes.size();
    if (more > 0) {
      outcomes.add("... and " + more + " more");
    }
    return outcomes;
  }

  String summary() {
    String writes =
        String.format(
            "run %d: %d writers, %d writes acknowledged, %d not acknowledged, %d unexpected",
            run, writers.size(), acknowledged.sum(), notAcknowledged.sum(), unexpectedCount.sum());
    if (!settings.readBack()) {
      return writes;
    }
    return writes
        + String.format(
            "; %d reads answered, %d not answered; %d answers were 503, %d requests failed to"
                + " connect or timed out",
            reads.sum(), readsNotAnswered.sum(), unavailable.sum(), connectionErrors.sum());
  }
}
