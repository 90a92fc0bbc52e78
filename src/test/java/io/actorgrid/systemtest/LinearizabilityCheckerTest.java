package io.actorgrid.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.actorgrid.systemtest.LinearizabilityChecker.Verdict;
import io.actorgrid.systemtest.RegisterOp.Call;
import io.actorgrid.systemtest.RegisterOp.Result;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The checker on hand-made histories of one or two keys. Times are small integers; versions skip
 * numbers as the grid's do (other keys of the partition take the ones in between).
 */
class LinearizabilityCheckerTest {

  private static final long INF = Long.MAX_VALUE;

  private final List<RegisterOp> history = new ArrayList<>();

  // --- histories that must pass ---

  @Test
  void sequentialOperationsWithSkippingVersions() {
    op("k", new Call.Put(10), new Result.Written(3, true), 0, 1);
    op("k", new Call.Read(), new Result.Found(10, 3), 2, 3);
    op("k", new Call.CompareAndSet(3, 11), new Result.Written(9, false), 4, 5);
    op("k", new Call.CompareAndSet(3, 12), new Result.PreconditionFailed(9), 6, 7);
    op("k", new Call.Increment(5), new Result.Incremented(16, 14, false), 8, 9);
    op("k", new Call.Delete(), new Result.Deleted(), 10, 11);
    op("k", new Call.Read(), new Result.NotFound(), 12, 13);
    op("k", new Call.Delete(), new Result.NotFound(), 14, 15);
    op("k", new Call.CompareAndSet(14, 1), new Result.PreconditionFailed(0), 16, 17);
    op("k", new Call.Increment(2), new Result.Incremented(2, 20, true), 18, 19);
    assertLinearizable();
  }

  @Test
  void concurrentWritesAndReadsInEitherOrder() {
    // Two overlapping puts; the reads show the second one to take effect was 20's.
    op("k", new Call.Put(10), new Result.Written(4, true), 0, 10);
    op("k", new Call.Put(20), new Result.Written(6, false), 1, 9);
    op("k", new Call.Read(), new Result.Found(10, 4), 2, 8); // between the two
    op("k", new Call.Read(), new Result.Found(20, 6), 11, 12);
    // An increment concurrent with a read that sees the state before it.
    op("k", new Call.Increment(1), new Result.Incremented(21, 8, false), 13, 20);
    op("k", new Call.Read(), new Result.Found(20, 6), 14, 15);
    op("k", new Call.Read(), new Result.Found(21, 8), 16, 17);
    assertLinearizable();
  }

  @Test
  void indeterminateWriteThatTookEffectLate() {
    op("k", new Call.Put(1), new Result.Written(2, true), 0, 1);
    // Sent at 2, never answered; it lands after the acknowledged put of 3.
    op("k", new Call.Put(99), new Result.Indeterminate("timeout"), 2, INF);
    op("k", new Call.Put(3), new Result.Written(5, false), 3, 4);
    op("k", new Call.Read(), new Result.Found(3, 5), 5, 6);
    op("k", new Call.Read(), new Result.Found(99, 11), 7, 8);
    op("k", new Call.Increment(1), new Result.Incremented(100, 12, false), 9, 10);
    assertLinearizable();
  }

  @Test
  void indeterminateWritesThatNeverTookEffect() {
    op("k", new Call.Put(1), new Result.Written(2, true), 0, 1);
    op("k", new Call.Put(99), new Result.Indeterminate("503"), 2, INF);
    op("k", new Call.Increment(50), new Result.Indeterminate("connection reset"), 2, INF);
    op("k", new Call.Delete(), new Result.Indeterminate("timeout"), 2, INF);
    op("k", new Call.CompareAndSet(2, 7), new Result.Indeterminate("timeout"), 2, INF);
    op("k", new Call.Read(), new Result.Indeterminate("timeout"), 2, INF);
    op("k", new Call.Read(), new Result.Found(1, 2), 5, 6);
    op("k", new Call.Increment(1), new Result.Incremented(2, 8, false), 7, 8);
    op("k", new Call.Read(), new Result.Found(2, 8), 9, 10);
    assertLinearizable();
  }

  @Test
  void indeterminateIncrementThatTookEffectIsCountedOnce() {
    op("k", new Call.Increment(1), new Result.Incremented(1, 1, true), 0, 1);
    op("k", new Call.Increment(10), new Result.Indeterminate("503"), 2, INF);
    op("k", new Call.Increment(1), new Result.Incremented(12, 7, false), 3, 4);
    op("k", new Call.Read(), new Result.Found(12, 7), 5, 6);
    assertLinearizable();
  }

  @Test
  void indeterminateCompareAndSetPinsTheVersionItMatched() {
    op("k", new Call.Put(1), new Result.Indeterminate("timeout"), 0, INF);
    op("k", new Call.CompareAndSet(4, 2), new Result.Written(9, false), 1, 2);
    op("k", new Call.Read(), new Result.Found(2, 9), 3, 4);
    assertLinearizable();
  }

  @Test
  void keysAreIndependent() {
    op("a", new Call.Put(1), new Result.Written(3, true), 0, 10);
    op("b", new Call.Put(1), new Result.Written(4, true), 0, 10);
    op("a", new Call.Read(), new Result.Found(1, 3), 11, 12);
    op("b", new Call.Read(), new Result.Found(1, 4), 11, 12);
    assertLinearizable();
  }

  // --- histories that must fail ---

  @Test
  void staleRead() {
    op("k", new Call.Put(1), new Result.Written(3, true), 0, 1);
    RegisterOp second = op("k", new Call.Put(2), new Result.Written(7, false), 2, 3);
    RegisterOp stale = op("k", new Call.Read(), new Result.Found(1, 3), 4, 5);
    String why = assertAnomaly("k", "stale read");
    assertTrue(why.contains("#" + stale.id()) && why.contains("#" + second.id()), why);
  }

  @Test
  void lostAcknowledgedWrite() {
    op("k", new Call.Put(1), new Result.Written(3, true), 0, 1);
    RegisterOp acknowledged = op("k", new Call.Put(2), new Result.Written(7, false), 2, 3);
    op("k", new Call.Read(), new Result.Found(1, 3), 10, 11);
    assertAnomaly("k", "");
    assertEquals(List.of(acknowledged), LinearizabilityChecker.lostAcknowledgedWrites(history));
  }

  @Test
  void lostAcknowledgedCreation() {
    RegisterOp acknowledged =
        op("k", new Call.Increment(1), new Result.Incremented(1, 3, true), 0, 1);
    op("k", new Call.Read(), new Result.NotFound(), 10, 11);
    assertAnomaly("k", "misses the record");
    assertEquals(List.of(acknowledged), LinearizabilityChecker.lostAcknowledgedWrites(history));
  }

  @Test
  void aReadThatADeleteExplainsIsNoLostWrite() {
    op("k", new Call.Put(1), new Result.Written(3, true), 0, 1);
    op("k", new Call.Delete(), new Result.Indeterminate("timeout"), 0, INF);
    op("k", new Call.Read(), new Result.NotFound(), 10, 11);
    assertLinearizable();
    assertEquals(List.of(), LinearizabilityChecker.lostAcknowledgedWrites(history));
  }

  @Test
  void duplicateIncrement() {
    op("k", new Call.Increment(1), new Result.Incremented(1, 3, true), 0, 1);
    op("k", new Call.Increment(1), new Result.Incremented(3, 5, false), 2, 3);
    assertAnomaly("k", "applied twice");
  }

  @Test
  void versionGoingBackwards() {
    op("k", new Call.Put(1), new Result.Written(9, true), 0, 1);
    op("k", new Call.Put(2), new Result.Written(4, false), 2, 3);
    assertAnomaly("k", "version went backwards");
  }

  @Test
  void readVersionGoingBackwardsForTheSameValue() {
    op("k", new Call.Put(1), new Result.Written(9, true), 0, 1);
    op("k", new Call.Read(), new Result.Found(1, 9), 2, 3);
    op("k", new Call.Read(), new Result.Found(1, 6), 4, 5);
    assertAnomaly("k", "never written");
  }

  @Test
  void indeterminateWriteAppliedTwice() {
    op("k", new Call.Put(1), new Result.Written(2, true), 0, 1);
    op("k", new Call.Put(99), new Result.Indeterminate("timeout"), 2, INF);
    op("k", new Call.Read(), new Result.Found(99, 5), 3, 4);
    op("k", new Call.Put(3), new Result.Written(8, false), 5, 6);
    // 99 again, at a newer version: the same request took effect a second time.
    op("k", new Call.Read(), new Result.Found(99, 10), 7, 8);
    assertAnomaly("k", "");
  }

  @Test
  void indeterminateIncrementAppliedTwice() {
    op("k", new Call.Increment(1), new Result.Incremented(1, 1, true), 0, 1);
    op("k", new Call.Increment(10), new Result.Indeterminate("503"), 2, INF);
    op("k", new Call.Read(), new Result.Found(11, 4), 3, 4);
    op("k", new Call.Read(), new Result.Found(21, 6), 5, 6);
    assertAnomaly("k", "");
  }

  @Test
  void anAnomalyNamesItsKeyOnly() {
    op("good", new Call.Put(1), new Result.Written(3, true), 0, 1);
    op("good", new Call.Read(), new Result.Found(1, 3), 2, 3);
    op("bad", new Call.Put(1), new Result.Written(3, true), 0, 1);
    op("bad", new Call.Read(), new Result.Found(2, 3), 2, 3);
    LinearizabilityChecker.Report report = new LinearizabilityChecker().check(history);
    assertEquals(1, report.anomalies().size(), report.describe());
    assertEquals("bad", report.anomalies().get(0).key());
  }

  @Test
  void aSearchOverItsBudgetIsUndecidedNotPassed() {
    for (int i = 0; i < 12; i++) {
      op("k", new Call.Put(i), new Result.Indeterminate("timeout"), 0, INF);
    }
    op("k", new Call.Read(), new Result.Found(-1, 50), 1, 2);
    LinearizabilityChecker.Report report = new LinearizabilityChecker(100).check(history);
    assertEquals(Verdict.UNDECIDED, report.keys().get(0).verdict(), report.describe());
    assertTrue(!report.linearizable());
  }

  @Test
  void manyIndeterminateWritesThatNeverTookEffectAreDecided() {
    // A partition that refused writes for a while: 40 writes without an answer, none of which
    // took effect, among acknowledged puts and reads. The full search alone gives up on this.
    refusedWritesAmong(40, 8);
    assertLinearizable();
  }

  @Test
  void anEarlyIndeterminatePutThatTookEffectLastAmongManyThatDidNot() {
    // The first of the 40 (put -1, sent at 0) lands after everything else: the search must not
    // spend its budget on the other 39 before it finds that.
    refusedWritesAmong(40, 8);
    op("k", new Call.Read(), new Result.Found(-1, 500), 1000, 1001);
    assertLinearizable();
  }

  @Test
  void anEarlyIndeterminateIncrementThatTookEffectLastAmongManyThatDidNot() {
    refusedWritesAmong(40, 8);
    // The first increment of the 40 (i = 7: +107) lands last.
    op("k", new Call.Read(), new Result.Found(2001 + 107, 500), 1000, 1001);
    assertLinearizable();
  }

  @Test
  void anIncrementAndADeleteThatTookEffectAmongTwentyIncrementsThatDidNot() {
    // Half of the 40 are increments (+101, +103, ...); the one sent at 2 (+101) and then a delete
    // sent at 100 landed after everything else.
    refusedWritesAmong(40, 2);
    op("k", new Call.Delete(), new Result.Indeterminate("503"), 100, INF);
    op("k", new Call.Read(), new Result.Found(2001 + 101, 500), 1000, 1001);
    op("k", new Call.Read(), new Result.NotFound(), 1002, 1003);
    assertLinearizable();
  }

  @Test
  void aStaleReadAmongManyIndeterminateWritesIsNeverPassed() {
    refusedWritesAmong(40, 8);
    long t = 1000;
    op("k", new Call.Put(5), new Result.Written(700, false), t, t + 1);
    op("k", new Call.Read(), new Result.Found(2000 + 1, 400), t + 2, t + 3);
    // Every reduction fails, and the full search gives up (a smaller budget keeps the test short).
    assertTrue(!new LinearizabilityChecker(20_000).check(history).linearizable());
  }

  /**
   * Twenty rounds of an acknowledged put and a read of it, with {@code count} writes (puts, and
   * every {@code incrementEvery}th an increment) sent during the first rounds and never answered;
   * ends with the register at 2,001, version 410.
   */
  private void refusedWritesAmong(int count, int incrementEvery) {
    for (int i = 0; i < count; i++) {
      Call call =
          i % incrementEvery == incrementEvery - 1
              ? new Call.Increment(100 + i)
              : new Call.Put(-1 - i);
      op("k", call, new Result.Indeterminate("503"), 2 * i, INF);
    }
    for (int round = 0; round < 20; round++) {
      long t = 10 * round + 5;
      long value = round == 19 ? 2000 : round;
      op("k", new Call.Put(value), new Result.Written(20 * round + 20, round == 0), t, t + 1);
      op("k", new Call.Read(), new Result.Found(value, 20 * round + 20), t + 2, t + 3);
    }
    op("k", new Call.Increment(1), new Result.Incremented(2001, 400 + 10, false), 300, 301);
    op("k", new Call.Read(), new Result.Found(2001, 410), 302, 303);
  }

  // --- generated histories ---

  @Test
  void historiesOfALinearizableRegisterPass() {
    for (long seed = 1; seed <= 20; seed++) {
      history.clear();
      history.addAll(simulate(new Random(seed), 400));
      LinearizabilityChecker.Report report = new LinearizabilityChecker().check(history);
      assertTrue(report.linearizable(), "seed " + seed + "\n" + report.describe());
    }
  }

  @Test
  void aGeneratedHistoryWithOneIncrementAppliedTwiceFails() {
    List<RegisterOp> ops = simulate(new Random(7), 400);
    // Every later answer of the key shows one more delta, as if the increment ran twice.
    RegisterOp doubled =
        ops.stream()
            .filter(op -> op.result() instanceof Result.Incremented)
            .skip(10)
            .findFirst()
            .orElseThrow();
    long delta = ((Call.Increment) doubled.call()).delta();
    for (RegisterOp op : ops) {
      RegisterOp changed = op;
      if (op.result() instanceof Result.Incremented i && op.id() == doubled.id()) {
        changed = withResult(op, new Result.Incremented(i.value() + delta, i.version(), false));
      }
      history.add(changed);
    }
    assertTrue(!new LinearizabilityChecker().check(history).linearizable());
  }

  private static RegisterOp withResult(RegisterOp op, Result result) {
    return RegisterOp.of(
        op.id(), op.key(), op.client(), op.call(), result, op.invoked(), op.completed());
  }

  /**
   * A run of a correct register: 6 clients with overlapping operations on one key, each taking
   * effect at a random instant within its interval (an indeterminate write: at some instant after
   * its invocation, or never); versions skip numbers.
   */
  private static List<RegisterOp> simulate(Random random, int count) {
    record Planned(int id, int client, Call call, long invoked, long completed, long effect) {}
    List<Planned> planned = new ArrayList<>();
    long[] free = new long[6];
    for (int i = 0; i < count; i++) {
      int client = random.nextInt(free.length);
      long invoked = free[client] + random.nextInt(5);
      long completed = invoked + 1 + random.nextInt(30);
      free[client] = completed + 1;
      int dice = random.nextInt(100);
      Call call =
          dice < 40
              ? new Call.Read()
              : dice < 60
                  ? new Call.Put(1000L * (i + 1))
                  : dice < 70
                      ? new Call.CompareAndSet(1 + random.nextInt(3 * i + 1), 1000L * (i + 1) + 1)
                      : dice < 90 ? new Call.Increment(1 + random.nextInt(9)) : new Call.Delete();
      long effect = invoked + (long) (random.nextDouble() * (completed - invoked));
      planned.add(new Planned(i + 1, client, call, invoked, completed, effect));
    }
    planned.sort(Comparator.comparingLong(Planned::effect));
    List<RegisterOp> ops = new ArrayList<>();
    boolean present = false;
    long value = 0;
    long version = 0;
    for (Planned p : planned) {
      boolean lost = !(p.call() instanceof Call.Read) && random.nextInt(100) < 5;
      boolean applies = !lost || random.nextBoolean();
      Result result = null;
      if (applies) {
        long next = version + 1 + random.nextInt(3);
        if (p.call() instanceof Call.Read) {
          result = present ? new Result.Found(value, version) : new Result.NotFound();
        } else if (p.call() instanceof Call.Put put) {
          result = new Result.Written(next, !present);
          present = true;
          value = put.value();
          version = next;
        } else if (p.call() instanceof Call.CompareAndSet cas) {
          if (present && version == cas.expectedVersion()) {
            result = new Result.Written(next, false);
            value = cas.value();
            version = next;
          } else {
            result = new Result.PreconditionFailed(present ? version : 0);
          }
        } else if (p.call() instanceof Call.Increment inc) {
          result = new Result.Incremented((present ? value : 0) + inc.delta(), next, !present);
          value = (present ? value : 0) + inc.delta();
          present = true;
          version = next;
        } else {
          result = present ? new Result.Deleted() : new Result.NotFound();
          if (present) {
            version = next;
          }
          present = false;
        }
      }
      if (lost) {
        result = new Result.Indeterminate("timeout");
      }
      ops.add(
          RegisterOp.of(
              p.id(), "k", "c" + p.client(), p.call(), result, p.invoked(), p.completed()));
    }
    ops.sort(Comparator.comparingInt(RegisterOp::id));
    return ops;
  }

  private RegisterOp op(String key, Call call, Result result, long invoked, long completed) {
    RegisterOp op = RegisterOp.of(history.size() + 1, key, "c", call, result, invoked, completed);
    history.add(op);
    return op;
  }

  private void assertLinearizable() {
    LinearizabilityChecker.Report report = new LinearizabilityChecker().check(history);
    assertTrue(report.linearizable(), report.describe());
  }

  /** Asserts that {@code key} is not linearizable, explained with {@code words}; returns why. */
  private String assertAnomaly(String key, String words) {
    LinearizabilityChecker.Report report = new LinearizabilityChecker().check(history);
    assertEquals(1, report.anomalies().size(), "expected one anomaly\n" + report.describe());
    LinearizabilityChecker.KeyVerdict verdict = report.anomalies().get(0);
    assertEquals(key, verdict.key());
    assertTrue(verdict.explanation().contains(words), verdict.explanation());
    return verdict.explanation();
  }
}
