package io.actorgrid.systemtest;

import io.actorgrid.systemtest.LinearizabilityChecker.State;
import io.actorgrid.systemtest.RegisterOp.Call;
import io.actorgrid.systemtest.RegisterOp.Result;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@link LinearizabilityChecker} says about a key it cannot linearize: the operation its
 * search could not place, what the register could hold there, the operations placed just before and
 * those concurrent with it, and a name for the anomaly.
 */
final class AnomalyExplanation {

  /** How many linearized operations before the stuck one a failure report quotes. */
  private static final int PREFIX_IN_REPORT = 6;

  private AnomalyExplanation() {}

  /**
   * The explanation for the furthest the search got: the operation it could not place, what the
   * register could hold at that point, the operations linearized just before, and the operations
   * still open around it (which the search tried before and after it).
   */
  static String explain(
      RegisterOp stuck, Set<State> states, List<RegisterOp> prefix, List<RegisterOp> ops) {
    Set<RegisterOp> placed = new HashSet<>(prefix);
    List<RegisterOp> tail =
        prefix.subList(Math.max(0, prefix.size() - PREFIX_IN_REPORT), prefix.size());
    List<RegisterOp> open =
        ops.stream()
            .filter(
                op ->
                    op != stuck
                        && !placed.contains(op)
                        && op.invoked() <= stuck.completed()
                        && op.completed() >= stuck.invoked())
            .limit(PREFIX_IN_REPORT)
            .toList();
    Map<String, Object> lines = new LinkedHashMap<>();
    lines.put("anomaly", classify(stuck, states, prefix));
    lines.put("cannot linearize", stuck);
    lines.put("register could hold", states);
    lines.put("after " + prefix.size() + " linearized operations, the last", tail);
    lines.put("concurrent operations not linearized", open);
    return lines.entrySet().stream()
        .map(
            e ->
                "  "
                    + e.getKey()
                    + ": "
                    + (e.getValue() instanceof List<?> list
                        ? list.stream()
                            .map(String::valueOf)
                            .collect(Collectors.joining("\n      ", "\n      ", ""))
                        : e.getValue()))
        .collect(Collectors.joining("\n"));
  }

  /** A name for what went wrong, from the stuck operation and the states it met. */
  static String classify(RegisterOp stuck, Set<State> states, List<RegisterOp> prefix) {
    long newest = states.stream().mapToLong(State::version).max().orElse(0);
    Result result = stuck.result();
    if (stuck.call() instanceof Call.Read && result instanceof Result.Found f) {
      if (f.version() < newest) {
        boolean written =
            prefix.stream().anyMatch(op -> op.writtenVersion() == f.version())
                || prefix.stream()
                    .anyMatch(
                        op -> op.result() instanceof Result.Found g && g.version() == f.version());
        return written
            ? "stale read: returns version "
                + f.version()
                + " after version "
                + newest
                + " was written"
            : "read of version " + f.version() + ", older than " + newest + " and never written";
      }
      return "read returns a value or version no write explains";
    }
    if (stuck.call() instanceof Call.Read && result instanceof Result.NotFound) {
      return "read misses the record: an acknowledged write is lost or the read is stale";
    }
    if (result instanceof Result.Incremented i) {
      boolean tooHigh =
          states.stream()
              .allMatch(
                  s ->
                      i.value()
                          > (s.present() ? s.value() : 0)
                              + ((Call.Increment) stuck.call()).delta());
      if (tooHigh) {
        return "increment returns a value too high: an increment was applied twice";
      }
    }
    long written = stuck.writtenVersion();
    if (written != 0 && states.stream().allMatch(s -> written <= s.version())) {
      return "version went backwards: write returns version " + written + ", not above " + newest;
    }
    if (stuck.indeterminate()) {
      return "an indeterminate write cannot be placed (applied more than once?)";
    }
    return "result inconsistent with every order of the concurrent operations";
  }
}
