package io.actorgrid.systemtest;

/**
 * One client operation on one key of a versioned register, as the client saw it: what it asked
 * ({@link Call}), what it got back ({@link Result}), when it sent the request and when the answer
 * arrived ({@link System#nanoTime}, printed as seconds). An operation whose outcome the client
 * never learned (a timeout, a 503, a connection error) is {@link Result.Indeterminate} and
 * completes at {@link Long#MAX_VALUE}: it may have taken effect at any moment after its invocation,
 * or never.
 *
 * <p>{@link LinearizabilityChecker} checks a history of these per key.
 *
 * @param id unique in the history; the checker names operations by it
 * @param key the record's key; operations on different keys are independent
 * @param client who sent it (a client thread and the node it went through), for reports only
 */
record RegisterOp(
    int id, String key, String client, Call call, Result result, long invoked, long completed) {

  /** What the client asked. Values are JSON integers, so increments and puts mix on one key. */
  sealed interface Call {
    /** {@code GET}. */
    record Read() implements Call {}

    /** {@code PUT} without a condition. */
    record Put(long value) implements Call {}

    /** {@code PUT} with {@code If-Match: "expectedVersion"}. */
    record CompareAndSet(long expectedVersion, long value) implements Call {}

    /** {@code POST ...:increment} with {@code {"delta": delta}}. */
    record Increment(long delta) implements Call {}

    /** {@code DELETE} without a condition. */
    record Delete() implements Call {}
  }

  /** What came back. */
  sealed interface Result {
    /** A read found the record (200). */
    record Found(long value, long version) implements Result {}

    /** A read or a delete found no record (404). */
    record NotFound() implements Result {}

    /**
     * A put or compare-and-set was acknowledged with the record's new version; {@code created} is
     * true for 201, false for 200.
     */
    record Written(long version, boolean created) implements Result {}

    /**
     * A compare-and-set failed (412) because the record was at {@code currentVersion} (0: it did
     * not exist).
     */
    record PreconditionFailed(long currentVersion) implements Result {}

    /** An increment was acknowledged: the counter's new value and version; 201 when created. */
    record Incremented(long value, long version, boolean created) implements Result {}

    /** A delete was acknowledged (204). */
    record Deleted() implements Result {}

    /** No answer the client can trust: timeout, 503, connection error. */
    record Indeterminate(String why) implements Result {}
  }

  /** A completed operation with a definite result. */
  static RegisterOp of(
      int id, String key, String client, Call call, Result result, long invoked, long completed) {
    if (result instanceof Result.Indeterminate) {
      completed = Long.MAX_VALUE;
    } else if (completed < invoked) {
      throw new IllegalArgumentException("operation " + id + " completes before it is invoked");
    }
    return new RegisterOp(id, key, client, call, result, invoked, completed);
  }

  boolean indeterminate() {
    return result instanceof Result.Indeterminate;
  }

  /** Whether this is a write the grid acknowledged (put, compare-and-set or increment). */
  boolean acknowledgedWrite() {
    return result instanceof Result.Written || result instanceof Result.Incremented;
  }

  /** The version an acknowledged write returned; 0 for anything else. */
  long writtenVersion() {
    if (result instanceof Result.Written w) {
      return w.version();
    }
    if (result instanceof Result.Incremented i) {
      return i.version();
    }
    return 0;
  }

  @Override
  public String toString() {
    String end = completed == Long.MAX_VALUE ? "inf" : String.format("%.3f", completed / 1e9);
    return String.format(
        "#%d %s %s %s -> %s [%.3f s, %s s]", id, key, client, call, result, invoked / 1e9, end);
  }
}
