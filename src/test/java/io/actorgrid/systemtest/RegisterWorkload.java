package io.actorgrid.systemtest;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.actorgrid.systemtest.RegisterOp.Call;
import io.actorgrid.systemtest.RegisterOp.Result;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Client threads that run random operations on {@value #KEYS} keys of one map through the nodes the
 * test lists (each client sticks to one node while it is listed), recording each as a {@link
 * RegisterOp} for {@link LinearizabilityChecker}: reads, blind puts, compare-and-set puts ({@code
 * If-Match} with a version the thread saw last), increments and deletes. Every value is a JSON
 * integer, so increments and puts mix on a key.
 *
 * <p>A write that gets no trustworthy answer (a timeout, a 503, a connection error) is sent once
 * more, to another node, with the same {@code Idempotency-Key}: if that answers, the operation is
 * one operation from the first send to that answer; otherwise it is indeterminate. A read without
 * an answer is recorded as indeterminate too (the checker ignores it). Any other answer the API
 * does not document for the request (a 500, a 400, an increment's 409) is an unexpected outcome the
 * test reports.
 *
 * <p>Times are {@link System#nanoTime} relative to the workload's start.
 */
final class RegisterWorkload {

  static final int KEYS = 64;

  /** Clients spread over this many nodes, named n1, n2, ... by the test. */
  private static final int STICKY_NODES = 3;

  /** Shorter than the tests' usual 10 s: a frozen node must not hold a client for long. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(6);

  private static final Duration PAUSE_BEFORE_RETRY = Duration.ofMillis(200);
  private static final Pattern CURRENT_VERSION = Pattern.compile("is at version (\\d+)");
  private static final Pattern STRONG_ETAG = Pattern.compile("\"(\\d+)\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where a request goes: a node's name in reports and its base URI. */
  record Target(String name, URI base) {}

  private final String map;
  private final Supplier<List<Target>> targets;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final long startNanos = System.nanoTime();
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicLong turn = new AtomicLong();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Queue<RegisterOp> history = new ConcurrentLinkedQueue<>();
  private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();

  private RegisterWorkload(String map, Supplier<List<Target>> targets) {
    this.map = map;
    this.targets = targets;
  }

  /** Starts {@code clients} client threads against the nodes {@code targets} lists at each turn. */
  static RegisterWorkload start(String map, int clients, Supplier<List<Target>> targets) {
    RegisterWorkload workload = new RegisterWorkload(map, targets);
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread thread = new Thread(() -> workload.runClient(client), "register-client-" + c);
      thread.setDaemon(true);
      workload.threads.add(thread);
      thread.start();
    }
    return workload;
  }

  static String key(int index) {
    return String.format("k%02d", index);
  }

  /** Nanoseconds since the workload started, the time base of its history. */
  long now() {
    return System.nanoTime() - startNanos;
  }

  /** Stops the clients and waits for their last requests. */
  void stop() throws InterruptedException {
    stopping.set(true);
    for (Thread thread : threads) {
      thread.join(REQUEST_TIMEOUT.multipliedBy(3).toMillis());
    }
  }

  /** Operations answered so far that acknowledged a write invoked after {@code sinceNanos}. */
  long acknowledgedWritesSince(long sinceNanos) {
    return history.stream()
        .filter(op -> op.acknowledgedWrite() && op.invoked() >= sinceNanos)
        .count();
  }

  /** As {@link #acknowledgedWritesSince(long)}, for writes of {@code key} only. */
  long acknowledgedWritesSince(long sinceNanos, String key) {
    return history.stream()
        .filter(op -> op.acknowledgedWrite() && op.invoked() >= sinceNanos && op.key().equals(key))
        .count();
  }

  List<RegisterOp> history() {
    List<RegisterOp> ops = new ArrayList<>(history);
    ops.sort(Comparator.comparingLong(RegisterOp::invoked));
    return ops;
  }

  List<String> unexpected() {
    return List.copyOf(unexpected);
  }

  /**
   * Reads every key through {@code target} once it answers (retrying 503s and connection errors
   * until {@code deadline} in workload time), recording the reads in the history: after the faults,
   * these reads show whether an acknowledged write was lost.
   */
  void finalReads(Target target, long deadlineNanos) throws InterruptedException {
    for (int k = 0; k < KEYS; k++) {
      while (true) {
        RegisterOp op = read("final", target, key(k));
        if (!op.indeterminate() || now() > deadlineNanos) {
          break;
        }
        history.remove(op);
        Thread.sleep(PAUSE_BEFORE_RETRY.toMillis());
      }
    }
  }

  private void runClient(int client) {
    Random random = new Random(client * 7919L + startNanos);
    Map<String, Long> lastSeenVersion = new HashMap<>();
    long sequence = 0;
    while (!stopping.get()) {
      List<Target> now = targets.get();
      if (now.isEmpty()) {
        pause();
        continue;
      }
      Target target = preferred(client, now);
      String key = key(random.nextInt(KEYS));
      String who = "c" + client;
      int dice = random.nextInt(100);
      sequence++;
      long unique = (client + 1) * 1_000_000_000L + sequence * 1_000;
      RegisterOp op;
      if (dice < 40) {
        op = read(who, target, key);
      } else if (dice < 60) {
        op = write(who, target, key, new Call.Put(unique));
      } else if (dice < 75) {
        long expected = lastSeenVersion.getOrDefault(key, 1L);
        op = write(who, target, key, new Call.CompareAndSet(expected, unique));
      } else if (dice < 92) {
        op = write(who, target, key, new Call.Increment(1 + random.nextInt(9)));
      } else {
        op = write(who, target, key, new Call.Delete());
      }
      long seen = seenVersion(op.result());
      if (seen > 0) {
        lastSeenVersion.put(key, seen);
      }
      if (op.indeterminate()) {
        pause();
      }
    }
  }

  /**
   * Client {@code c} sends to node {@code c % n} of the nodes the test started, as a client with a
   * sticky connection does, or to the next node in turn while that node is out of the rotation. So
   * a frozen node holds only its own clients; the others go on and change the keys meanwhile.
   */
  private Target preferred(int client, List<Target> now) {
    String name = "n" + (client % STICKY_NODES + 1);
    return now.stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseGet(() -> now.get((int) Math.floorMod(turn.getAndIncrement(), (long) now.size())));
  }

  private static long seenVersion(Result result) {
    if (result instanceof Result.Found f) {
      return f.version();
    }
    if (result instanceof Result.Written w) {
      return w.version();
    }
    if (result instanceof Result.Incremented i) {
      return i.version();
    }
    if (result instanceof Result.PreconditionFailed p) {
      return p.currentVersion();
    }
    return 0;
  }

  private void pause() {
    try {
      Thread.sleep(PAUSE_BEFORE_RETRY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping.set(true);
    }
  }

  private RegisterOp read(String who, Target target, String key) {
    long invoked = now();
    Result result;
    try {
      HttpResponse<String> response = http.send(request(target, key).GET().build(), ofString());
      result =
          switch (response.statusCode()) {
            case 200 -> new Result.Found(Long.parseLong(response.body().trim()), etag(response));
            case 404 -> new Result.NotFound();
            case 503 -> new Result.Indeterminate("503");
            default -> unexpected(who, target, "GET " + key, response);
          };
    } catch (IOException e) {
      result = new Result.Indeterminate(e.getClass().getSimpleName());
    } catch (RuntimeException e) {
      result = unexpected(who, target, "GET " + key, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result = new Result.Indeterminate("interrupted");
    }
    return record(who + "@" + target.name(), key, new Call.Read(), result, invoked);
  }

  /** A write, sent a second time to the next node with the same idempotency key if unanswered. */
  private RegisterOp write(String who, Target target, String key, Call call) {
    long invoked = now();
    String idempotencyKey = UUID.randomUUID().toString();
    Result result = sendWrite(who, target, key, call, idempotencyKey);
    String via = target.name();
    if (result instanceof Result.Indeterminate && !stopping.get()) {
      pause();
      List<Target> now =
          targets.get().stream().filter(t -> !t.name().equals(target.name())).toList();
      if (!now.isEmpty()) {
        Target retry = now.get((int) Math.floorMod(turn.getAndIncrement(), (long) now.size()));
        Result second = sendWrite(who, retry, key, call, idempotencyKey);
        via = via + "(" + ((Result.Indeterminate) result).why() + ")+retry@" + retry.name();
        if (!(second instanceof Result.Indeterminate)) {
          result = second;
        }
      }
    }
    return record(who + "@" + via, key, call, result, invoked);
  }

  private Result sendWrite(
      String who, Target target, String key, Call call, String idempotencyKey) {
    HttpRequest.Builder request = request(target, key).header("Idempotency-Key", idempotencyKey);
    String what;
    if (call instanceof Call.Put put) {
      what = "PUT " + key;
      request
          .header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString(Long.toString(put.value()), UTF_8));
    } else if (call instanceof Call.CompareAndSet cas) {
      what = "PUT If-Match " + cas.expectedVersion() + " " + key;
      request
          .header("Content-Type", "application/json")
          .header("If-Match", "\"" + cas.expectedVersion() + "\"")
          .PUT(HttpRequest.BodyPublishers.ofString(Long.toString(cas.value()), UTF_8));
    } else if (call instanceof Call.Increment inc) {
      what = "increment " + key;
      request =
          HttpRequest.newBuilder(
                  URI.create(target.base() + GridHttpClient.entryPath(map, key) + ":increment"))
              .timeout(REQUEST_TIMEOUT)
              .header("Idempotency-Key", idempotencyKey)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"delta\":" + inc.delta() + "}", UTF_8));
    } else {
      what = "DELETE " + key;
      request.DELETE();
    }
    try {
      HttpResponse<String> response = http.send(request.build(), ofString());
      int status = response.statusCode();
      if (status == 503) {
        return new Result.Indeterminate("503");
      }
      if (call instanceof Call.Put || call instanceof Call.CompareAndSet) {
        if (status == 200 || status == 201) {
          return new Result.Written(etag(response), status == 201);
        }
        if (status == 412 && call instanceof Call.CompareAndSet) {
          Matcher current = CURRENT_VERSION.matcher(response.body());
          return new Result.PreconditionFailed(
              current.find() ? Long.parseLong(current.group(1)) : 0);
        }
      } else if (call instanceof Call.Increment) {
        if (status == 200 || status == 201) {
          JsonNode body = JSON.readTree(response.body());
          return new Result.Incremented(
              body.get("value").asLong(), body.get("version").asLong(), status == 201);
        }
      } else if (status == 204) {
        return new Result.Deleted();
      } else if (status == 404) {
        return new Result.NotFound();
      }
      return unexpected(who, target, what, response);
    } catch (IOException e) {
      return new Result.Indeterminate(e.getClass().getSimpleName());
    } catch (RuntimeException e) {
      return unexpected(who, target, what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result.Indeterminate("interrupted");
    }
  }

  private HttpRequest.Builder request(Target target, String key) {
    return HttpRequest.newBuilder(URI.create(target.base() + GridHttpClient.entryPath(map, key)))
        .timeout(REQUEST_TIMEOUT);
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString();
  }

  private static long etag(HttpResponse<String> response) {
    String etag = response.headers().firstValue("ETag").orElse("");
    Matcher m = STRONG_ETAG.matcher(etag);
    if (!m.matches()) {
      throw new IllegalStateException("no strong ETag in " + GridHttpClient.describe(response));
    }
    return Long.parseLong(m.group(1));
  }

  /**
   * Records an answer the API does not document for the request; the operation's effect is unknown.
   */
  private Result unexpected(String who, Target target, String what, HttpResponse<String> response) {
    unexpected.add(
        String.format(
            "%.3f s %s via %s: %s -> %d %s",
            now() / 1e9, who, target.name(), what, response.statusCode(), response.body()));
    return new Result.Indeterminate("unexpected " + response.statusCode());
  }

  /** Records an answer this client cannot read (no ETag, a body that is no integer). */
  private Result unexpected(String who, Target target, String what, RuntimeException e) {
    unexpected.add(
        String.format("%.3f s %s via %s: %s -> %s", now() / 1e9, who, target.name(), what, e));
    return new Result.Indeterminate("unreadable answer");
  }

  private RegisterOp record(String client, String key, Call call, Result result, long invoked) {
    RegisterOp op = RegisterOp.of(ids.incrementAndGet(), key, client, call, result, invoked, now());
    history.add(op);
    return op;
  }
}
