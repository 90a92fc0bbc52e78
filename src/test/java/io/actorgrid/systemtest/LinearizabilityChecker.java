package io.actorgrid.systemtest;

import io.actorgrid.systemtest.RegisterOp.Call;
import io.actorgrid.systemtest.RegisterOp.Result;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/*
 * Design. A history is linearizable when each operation can be placed at one instant between its
 * invocation and its completion so that the sequence of those instants is a legal run of the
 * sequential model. Keys are independent registers, so each key's sub-history is checked on its
 * own (linearizability is compositional), which keeps every search small.
 *
 * The search is Wing & Gong's as Lowe refined it (and Porcupine and Knossos use): invocation and
 * completion events in time order form a linked list; the search walks it, linearizing any pending
 * operation whose invocation it has reached when the model accepts its result, and backtracking
 * when it reaches the completion of an operation it has not linearized. A set of (linearized
 * operations, model state) pairs already explored prunes the search: the same pair never leads to
 * a different answer.
 *
 * An indeterminate operation completes at infinity: the search may linearize it anywhere after its
 * invocation, and linearizing it after everything else is the same as it never having happened.
 * Its result is unknown, so the model lets it produce whatever it would.
 *
 * The model state is a set of possible register states, because a write whose outcome is unknown
 * leaves its new version unknown (it is only known to exceed the one it replaced: versions are the
 * partition's event sequence numbers, increasing but not consecutive per key). A later read pins
 * the version it returns.
 */

/**
 * Checks recorded histories of {@link RegisterOp}s for per-key linearizability against a versioned
 * register with compare-and-set, increments and deletes.
 *
 * <p>The model catches: a read that returns anything but the value and version of the latest write
 * linearized before it (stale reads, lost writes, values that never were written), a write whose
 * version does not exceed the one it replaced (versions going backwards), an increment whose value
 * shows an increment applied twice, and an indeterminate write taking effect twice (the search
 * applies each operation at most once).
 */
final class LinearizabilityChecker {

  /** Explored (linearized, state) pairs per key above which the checker gives up on that key. */
  static final int DEFAULT_MAX_EXPLORED = 300_000;

  private final int maxExplored;

  LinearizabilityChecker() {
    this(DEFAULT_MAX_EXPLORED);
  }

  LinearizabilityChecker(int maxExplored) {
    this.maxExplored = maxExplored;
  }

  /**
   * A possible state of one key's register. {@code version} is exact when {@code exact}, otherwise
   * a lower bound that the real version exceeds (after a write whose version nobody saw, or a
   * delete, whose version the API does not return). Absent records keep the last version as a
   * bound: a record written again gets a higher one.
   */
  record State(boolean present, long value, long version, boolean exact) {
    static final State INITIAL = new State(false, 0, 0, false);

    boolean versionCanBe(long v) {
      return exact ? version == v : v > version;
    }

    State pinned(long v) {
      return new State(present, value, v, true);
    }

    @Override
    public String toString() {
      String v = exact ? "v" + version : "v>" + version;
      return present ? value + "@" + v : "absent(" + v + ")";
    }
  }

  /** The outcome for one key. */
  record KeyVerdict(String key, Verdict verdict, String explanation) {}

  enum Verdict {
    LINEARIZABLE,
    NOT_LINEARIZABLE,
    /** The search explored more states than allowed: neither proven nor refuted. */
    UNDECIDED
  }

  /** The outcome for a whole history: one verdict per key, anomalies first. */
  record Report(List<KeyVerdict> keys) {
    List<KeyVerdict> anomalies() {
      return keys.stream().filter(k -> k.verdict() == Verdict.NOT_LINEARIZABLE).toList();
    }

    List<KeyVerdict> undecided() {
      return keys.stream().filter(k -> k.verdict() == Verdict.UNDECIDED).toList();
    }

    boolean linearizable() {
      return keys.stream().allMatch(k -> k.verdict() == Verdict.LINEARIZABLE);
    }

    /** Every anomaly and undecided key with its explanation, for a failure message. */
    String describe() {
      return keys.stream()
          .filter(k -> k.verdict() != Verdict.LINEARIZABLE)
          .map(k -> "key " + k.key() + ": " + k.verdict() + "\n" + k.explanation())
          .collect(Collectors.joining("\n\n"));
    }
  }

  /** Checks every key of {@code history}. */
  Report check(List<RegisterOp> history) {
    Map<String, List<RegisterOp>> byKey = new TreeMap<>();
    for (RegisterOp op : history) {
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
    }
    List<KeyVerdict> verdicts = new ArrayList<>();
    byKey.forEach((key, ops) -> verdicts.add(checkKey(key, ops)));
    verdicts.sort(Comparator.comparing(KeyVerdict::verdict).reversed());
    return new Report(verdicts);
  }

  /** The sequential model: the states {@code op} may lead to from {@code s}; none if illegal. */
  static List<State> step(State s, RegisterOp op) {
    Call call = op.call();
    Result result = op.result();
    boolean unknown = result instanceof Result.Indeterminate;
    if (call instanceof Call.Read) {
      if (result instanceof Result.Found f) {
        return s.present() && s.value() == f.value() && s.versionCanBe(f.version())
            ? List.of(s.pinned(f.version()))
            : List.of();
      }
      return result instanceof Result.NotFound && !s.present() ? List.of(s) : List.of();
    }
    if (call instanceof Call.Put put) {
      if (unknown) {
        return List.of(new State(true, put.value(), s.version(), false));
      }
      return result instanceof Result.Written w
              && w.version() > s.version()
              && w.created() == !s.present()
          ? List.of(new State(true, put.value(), w.version(), true))
          : List.of();
    }
    if (call instanceof Call.CompareAndSet cas) {
      boolean canMatch = s.present() && s.versionCanBe(cas.expectedVersion());
      boolean canDiffer = !s.present() || !s.exact() || s.version() != cas.expectedVersion();
      if (unknown) {
        List<State> next = new ArrayList<>(2);
        if (canMatch) {
          next.add(new State(true, cas.value(), cas.expectedVersion(), false));
        }
        if (canDiffer) {
          next.add(s);
        }
        return next;
      }
      if (result instanceof Result.Written w) {
        return canMatch && w.version() > cas.expectedVersion() && !w.created()
            ? List.of(new State(true, cas.value(), w.version(), true))
            : List.of();
      }
      if (result instanceof Result.PreconditionFailed failed) {
        long current = failed.currentVersion();
        if (current == 0) {
          return s.present() ? List.of() : List.of(s);
        }
        return s.present() && current != cas.expectedVersion() && s.versionCanBe(current)
            ? List.of(s.pinned(current))
            : List.of();
      }
      return List.of();
    }
    if (call instanceof Call.Increment inc) {
      long base = s.present() ? s.value() : 0;
      long value = base + inc.delta();
      if (unknown) {
        return List.of(new State(true, value, s.version(), false));
      }
      return result instanceof Result.Incremented i
              && i.value() == value
              && i.version() > s.version()
              && i.created() == !s.present()
          ? List.of(new State(true, value, i.version(), true))
          : List.of();
    }
    if (call instanceof Call.Delete) {
      State absent = new State(false, 0, s.version(), false);
      if (unknown) {
        return List.of(s.present() ? absent : s);
      }
      if (result instanceof Result.Deleted) {
        return s.present() ? List.of(absent) : List.of();
      }
      return result instanceof Result.NotFound && !s.present() ? List.of(s) : List.of();
    }
    throw new IllegalArgumentException("unknown call " + call);
  }

  private static Set<State> step(Set<State> states, RegisterOp op) {
    Set<State> next = new LinkedHashSet<>();
    for (State s : states) {
      next.addAll(step(s, op));
    }
    return next;
  }

  /** An invocation or a completion in the time-ordered list the search walks. */
  private static final class Event {
    final RegisterOp op;
    final int index;
    final boolean call;
    final long time;
    Event match;
    Event prev;
    Event next;

    Event(RegisterOp op, int index, boolean call) {
      this.op = op;
      this.index = index;
      this.call = call;
      this.time = op == null ? Long.MIN_VALUE : call ? op.invoked() : op.completed();
    }
  }

  private record Frame(Event call, Set<State> states) {}

  private record Explored(BitSet linearized, Set<State> states) {}

  /** Where the search got furthest: the operation it could not place there, and what it had. */
  private record Stuck(RegisterOp op, Set<State> states, List<RegisterOp> prefix) {}

  /**
   * Checks one key. An indeterminate write may also never have taken effect, so any history with
   * some of them left out that is linearizable proves the whole one linearizable. Many
   * indeterminate writes (a partition refusing writes for a while) make the full search
   * exponential, so the checker first tries such reductions, cheapest first:
   *
   * <ol>
   *   <li>without any indeterminate write except puts whose value a read returned;
   *   <li>from there, greedily: while the search gets stuck, the indeterminate write left out,
   *       invoked before the point where it got stuck, that lets it get furthest is put back;
   *   <li>without only the indeterminate puts whose value nobody saw.
   * </ol>
   *
   * Only if none is linearizable does the full search decide, and its verdict (an anomaly, or
   * undecided) is the key's.
   */
  KeyVerdict checkKey(String key, List<RegisterOp> keyOps) {
    // A read without an answer changes nothing and constrains nothing.
    List<RegisterOp> ops =
        keyOps.stream()
            .filter(op -> !(op.indeterminate() && op.call() instanceof Call.Read))
            .toList();
    Set<Long> seen = new HashSet<>();
    for (RegisterOp op : ops) {
      if (op.result() instanceof Result.Found f) {
        seen.add(f.value());
      }
    }
    List<RegisterOp> seenPutsOnly =
        ops.stream().filter(op -> !op.indeterminate() || seenPut(op, seen)).toList();
    if (seenPutsOnly.size() < ops.size() && greedy(key, ops, seenPutsOnly)) {
      return new KeyVerdict(key, Verdict.LINEARIZABLE, "");
    }
    List<RegisterOp> withoutUnseenPuts =
        ops.stream().filter(op -> !op.indeterminate() || seenPut(op, seen) || !isPut(op)).toList();
    if (withoutUnseenPuts.size() < ops.size()
        && search(key, withoutUnseenPuts, maxExplored).verdict().verdict()
            == Verdict.LINEARIZABLE) {
      return new KeyVerdict(key, Verdict.LINEARIZABLE, "");
    }
    return search(key, ops, maxExplored).verdict();
  }

  /**
   * Whether {@code start} (a subset of {@code ops}), with indeterminate writes of {@code ops} put
   * back one at a time where the search got stuck, becomes linearizable.
   */
  private boolean greedy(String key, List<RegisterOp> ops, List<RegisterOp> start) {
    List<RegisterOp> kept = new ArrayList<>(start);
    List<RegisterOp> left = new ArrayList<>(ops);
    left.removeAll(start);
    int budget = Math.max(1_000, maxExplored / 10);
    Attempt attempt = search(key, kept, maxExplored);
    while (attempt.verdict().verdict() == Verdict.NOT_LINEARIZABLE) {
      Attempt best = null;
      RegisterOp bestOp = null;
      for (RegisterOp candidate : left) {
        if (candidate.invoked() > attempt.stuckAt()) {
          continue;
        }
        List<RegisterOp> with = new ArrayList<>(kept);
        with.add(candidate);
        Attempt next = search(key, with, budget);
        if (next.verdict().verdict() == Verdict.LINEARIZABLE) {
          return true;
        }
        if (next.verdict().verdict() == Verdict.NOT_LINEARIZABLE
            && next.stuckAt() > attempt.stuckAt()
            && (best == null || next.stuckAt() > best.stuckAt())) {
          best = next;
          bestOp = candidate;
        }
      }
      if (best == null) {
        return false;
      }
      kept.add(bestOp);
      left.remove(bestOp);
      attempt = best;
    }
    return attempt.verdict().verdict() == Verdict.LINEARIZABLE;
  }

  private static boolean isPut(RegisterOp op) {
    return op.call() instanceof Call.Put || op.call() instanceof Call.CompareAndSet;
  }

  /** A put or compare-and-set whose value some read returned. */
  private static boolean seenPut(RegisterOp op, Set<Long> seen) {
    return op.call() instanceof Call.Put put
        ? seen.contains(put.value())
        : op.call() instanceof Call.CompareAndSet cas && seen.contains(cas.value());
  }

  /**
   * A search's verdict, and where it got stuck (the completion time of the operation it could not
   * place at its furthest) if it was not linearizable.
   */
  private record Attempt(KeyVerdict verdict, long stuckAt) {}

  /**
   * Wing & Gong's search over {@code ops}, all of one key, giving up after {@code budget} explored
   * states.
   */
  private Attempt search(String key, List<RegisterOp> ops, int budget) {
    List<Event> events = new ArrayList<>(ops.size() * 2);
    for (int i = 0; i < ops.size(); i++) {
      Event call = new Event(ops.get(i), i, true);
      Event ret = new Event(ops.get(i), i, false);
      call.match = ret;
      ret.match = call;
      events.add(call);
      events.add(ret);
    }
    // Ties: invocations first, so operations that touch in time count as concurrent.
    events.sort(
        Comparator.<Event>comparingLong(e -> e.time)
            .thenComparing(e -> !e.call)
            .thenComparingInt(e -> e.index));
    Event head = new Event(null, -1, true);
    Event last = head;
    for (Event e : events) {
      last.next = e;
      e.prev = last;
      last = e;
    }

    Set<Explored> explored = new HashSet<>();
    Deque<Frame> stack = new ArrayDeque<>();
    BitSet linearized = new BitSet(ops.size());
    Set<State> states = Set.of(State.INITIAL);
    Stuck deepest = null;
    Event entry = head.next;
    while (head.next != null) {
      if (entry.call) {
        Set<State> next = step(states, entry.op);
        if (!next.isEmpty()) {
          BitSet withOp = (BitSet) linearized.clone();
          withOp.set(entry.index);
          if (explored.add(new Explored(withOp, next))) {
            if (explored.size() > budget) {
              return new Attempt(
                  new KeyVerdict(
                      key,
                      Verdict.UNDECIDED,
                      "gave up after exploring "
                          + budget
                          + " states over "
                          + ops.size()
                          + " operations"),
                  Long.MIN_VALUE);
            }
            stack.push(new Frame(entry, states));
            states = next;
            linearized.set(entry.index);
            lift(entry);
            entry = head.next;
            continue;
          }
        }
        entry = entry.next;
      } else {
        // The completion of an operation this branch has not linearized: it cannot be placed.
        if (deepest == null || stack.size() > deepest.prefix().size()) {
          List<RegisterOp> prefix = new ArrayList<>(stack.size());
          stack.descendingIterator().forEachRemaining(f -> prefix.add(f.call().op));
          deepest = new Stuck(entry.op, states, prefix);
        }
        if (stack.isEmpty()) {
          return new Attempt(
              new KeyVerdict(
                  key,
                  Verdict.NOT_LINEARIZABLE,
                  AnomalyExplanation.explain(
                      deepest.op(), deepest.states(), deepest.prefix(), ops)),
              deepest.op().completed());
        }
        Frame frame = stack.pop();
        states = frame.states();
        linearized.clear(frame.call().index);
        unlift(frame.call());
        entry = frame.call().next;
      }
    }
    return new Attempt(new KeyVerdict(key, Verdict.LINEARIZABLE, ""), Long.MAX_VALUE);
  }

  private static void lift(Event call) {
    call.prev.next = call.next;
    if (call.next != null) {
      call.next.prev = call.prev;
    }
    Event ret = call.match;
    ret.prev.next = ret.next;
    if (ret.next != null) {
      ret.next.prev = ret.prev;
    }
  }

  private static void unlift(Event call) {
    Event ret = call.match;
    ret.prev.next = ret;
    if (ret.next != null) {
      ret.next.prev = ret;
    }
    call.prev.next = call;
    if (call.next != null) {
      call.next.prev = call;
    }
  }

  /**
   * Acknowledged writes that the last answered read of their key does not reflect: the read began
   * after the write completed and returned an older version, or no record although no delete could
   * have come after the write. With final reads after the faults, these are the acknowledged writes
   * the grid lost (as opposed to reads that were merely stale for a while).
   */
  static List<RegisterOp> lostAcknowledgedWrites(List<RegisterOp> history) {
    Map<String, List<RegisterOp>> byKey = new TreeMap<>();
    for (RegisterOp op : history) {
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
    }
    List<RegisterOp> lost = new ArrayList<>();
    for (List<RegisterOp> ops : byKey.values()) {
      RegisterOp lastRead =
          ops.stream()
              .filter(op -> op.call() instanceof Call.Read && !op.indeterminate())
              .max(Comparator.comparingLong(RegisterOp::invoked))
              .orElse(null);
      if (lastRead == null) {
        continue;
      }
      for (RegisterOp write : ops) {
        if (!write.acknowledgedWrite() || write.completed() >= lastRead.invoked()) {
          continue;
        }
        if (lastRead.result() instanceof Result.Found f) {
          if (f.version() < write.writtenVersion()) {
            lost.add(write);
          }
        } else {
          boolean deleteMayFollow =
              ops.stream()
                  .anyMatch(
                      op ->
                          op.call() instanceof Call.Delete
                              && !(op.result() instanceof Result.NotFound)
                              && op.completed() > write.invoked()
                              && op.invoked() < lastRead.completed());
          if (!deleteMayFollow) {
            lost.add(write);
          }
        }
      }
    }
    return lost;
  }
}
