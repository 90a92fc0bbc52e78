package io.actorgrid.grid.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Decides the operations of one batch in order. Each event is applied to a working copy of the
 * state at once (an O(log n) step on the persistent trees), so every operation sees the ones before
 * it, including their idempotency records; the event handler later applies the same events to the
 * real state.
 */
final class BatchDecider {
  /** Outcomes of keyed writes that leave no event of their own, so RequestNoted records them. */
  private static final java.util.Set<WriteOutcome.Status> CHANGED_NOTHING =
      java.util.EnumSet.of(
          WriteOutcome.Status.NOT_FOUND,
          WriteOutcome.Status.PRECONDITION_FAILED,
          WriteOutcome.Status.CONFLICT,
          WriteOutcome.Status.TOO_LARGE);

  final List<PartitionEvent> events = new ArrayList<>();
  final long now;
  PartitionState working;
  // The internal write id of the operation being decided, for the events it makes (0: none).
  long writeId;

  BatchDecider(PartitionState state, long now) {
    this.working = state;
    this.now = now;
  }

  WriteOutcome decide(WriteOp op, long writeId) {
    if (writeId != 0) {
      // Sent again by its node (a hand-off dropped or delayed the first attempt): the first
      // attempt's outcome, whether it came earlier in this batch or long before.
      var first = working.recentWrite(writeId);
      if (first.isPresent()) {
        return first.get();
      }
    }
    this.writeId = writeId;
    if (op instanceof WriteOp.Keyed keyed && keyed.request() != null) {
      var earlier = working.request(keyed.request().id());
      if (earlier.isPresent()) {
        return earlier.get().matches(op.map(), op.key(), keyed.request().hash())
            ? earlier.get().outcome()
            : WriteOutcome.failed(
                WriteOutcome.Status.REQUEST_MISMATCH,
                0,
                "idempotency key '"
                    + keyed.request().id()
                    + "' was used for a different request; use a new key for each request");
      }
    }
    WriteOutcome outcome = apply(op);
    if (op instanceof WriteOp.Keyed keyed
        && keyed.request() != null
        && CHANGED_NOTHING.contains(outcome.status())) {
      emit(
          new PartitionEvent.RequestNoted(
              op.map(),
              op.key(),
              keyed.request().id(),
              keyed.request().hash(),
              outcome.status(),
              outcome.version(),
              outcome.detail(),
              now));
    }
    return outcome;
  }

  private WriteOutcome apply(WriteOp op) {
    if (op instanceof WriteOp.Put put) {
      return put(put);
    } else if (op instanceof WriteOp.Delete delete) {
      return delete(delete);
    } else if (op instanceof WriteOp.Patch patch) {
      return patch(patch);
    } else if (op instanceof WriteOp.Increment increment) {
      return increment(increment);
    } else if (op instanceof WriteOp.Read read) {
      return read(read);
    } else if (op instanceof WriteOp.Expire expire) {
      return expire(expire);
    } else if (op instanceof WriteOp.ClearMap clear) {
      return clear(clear);
    } else if (op instanceof WriteOp.TruncateHistory truncate) {
      if (truncate.upTo() >= working.historyStart() && truncate.upTo() <= working.lastVersion()) {
        emit(new PartitionEvent.HistoryTruncated("", truncate.upTo(), now));
      }
      return new WriteOutcome(WriteOutcome.Status.DELETED, 0);
    }
    return configure((WriteOp.Configure) op);
  }

  private WriteOutcome put(WriteOp.Put op) {
    StoredEntry current = live(op.map(), op.key());
    long currentVersion = versionOf(current);
    WriteOutcome refused = refusal(current, op.expected(), false);
    if (refused != null) {
      return refused;
    }
    long version =
        emitPut(
            op,
            op.value(),
            op.contentType(),
            currentVersion,
            op.ttlMillis() > 0 ? now + op.ttlMillis() : 0,
            null);
    return new WriteOutcome(created(current), version);
  }

  private WriteOutcome delete(WriteOp.Delete op) {
    StoredEntry current = live(op.map(), op.key());
    long currentVersion = versionOf(current);
    WriteOutcome refused = refusal(current, op.expected(), true);
    if (refused != null) {
      return refused;
    }
    long version =
        emit(
            new PartitionEvent.EntryDeleted(
                op.map(),
                op.key(),
                currentVersion,
                now,
                requestId(op.request()),
                requestHash(op.request()),
                op.principal(),
                writeId));
    return new WriteOutcome(WriteOutcome.Status.DELETED, version);
  }

  private WriteOutcome patch(WriteOp.Patch op) {
    StoredEntry current = live(op.map(), op.key());
    long currentVersion = versionOf(current);
    WriteOutcome refused = refusal(current, op.expected(), true);
    if (refused != null) {
      return refused;
    }
    JsonNode target =
        JsonValues.isJson(current.contentType()) ? JsonValues.parse(current.value()) : null;
    if (target == null) {
      return WriteOutcome.failed(
          WriteOutcome.Status.CONFLICT,
          currentVersion,
          "the value of key '"
              + op.key()
              + "' is stored as "
              + current.contentType()
              + ", not JSON, so a JSON merge patch cannot apply to it; replace it with PUT");
    }
    JsonNode patch = JsonValues.parse(op.patch());
    byte[] result = JsonValues.bytes(JsonValues.mergePatch(target, patch));
    if (result.length > op.maxValueBytes()) {
      return WriteOutcome.failed(
          WriteOutcome.Status.TOO_LARGE,
          currentVersion,
          "the patched value would have "
              + result.length
              + " bytes; values of this map may have at most "
              + op.maxValueBytes());
    }
    long version =
        emitPut(
            op,
            result,
            current.contentType(),
            currentVersion,
            current.expiresAt(),
            PartitionEvent.EntryPut.PATCH);
    return new WriteOutcome(WriteOutcome.Status.UPDATED, version);
  }

  private WriteOutcome increment(WriteOp.Increment op) {
    StoredEntry current = live(op.map(), op.key());
    long base = 0;
    if (current != null) {
      boolean json = JsonValues.isJson(current.contentType());
      OptionalLong number = json ? JsonValues.integer(current.value()) : OptionalLong.empty();
      if (number.isEmpty()) {
        return WriteOutcome.failed(
            WriteOutcome.Status.CONFLICT,
            current.version(),
            "the value of key '"
                + op.key()
                + "' is not a JSON integer ("
                + (json
                    ? "it is JSON, but not a whole number within 64 bits"
                    : "it is stored as " + current.contentType())
                + "), so it cannot be incremented; store a number such as 0 first, or use"
                + " another key");
      }
      base = number.getAsLong();
    }
    long sum;
    try {
      sum = Math.addExact(base, op.delta());
    } catch (ArithmeticException e) {
      return WriteOutcome.failed(
          WriteOutcome.Status.CONFLICT,
          versionOf(current),
          "adding " + op.delta() + " to " + base + " would overflow a 64-bit integer");
    }
    byte[] value = Long.toString(sum).getBytes(StandardCharsets.US_ASCII);
    long expiresAt =
        current != null ? current.expiresAt() : op.ttlMillis() > 0 ? now + op.ttlMillis() : 0;
    long version =
        emitPut(
            op,
            value,
            current != null ? current.contentType() : "application/json",
            versionOf(current),
            expiresAt,
            PartitionEvent.EntryPut.INCREMENT);
    return new WriteOutcome(
        created(current), version, working.stored(op.map(), op.key()).orElseThrow(), null);
  }

  private WriteOutcome read(WriteOp.Read op) {
    return WriteOutcome.read(live(op.map(), op.key()));
  }

  private WriteOutcome expire(WriteOp.Expire op) {
    var stored = working.stored(op.map(), op.key());
    if (stored.isEmpty()
        || stored.get().version() != op.version()
        || !stored.get().expiredAt(now)) {
      return new WriteOutcome(WriteOutcome.Status.NOT_FOUND, 0);
    }
    long version = emit(new PartitionEvent.EntryExpired(op.map(), op.key(), op.version(), now));
    return new WriteOutcome(WriteOutcome.Status.DELETED, version);
  }

  /**
   * Removes every record of the map, naming each key and its version in MapCleared events of at
   * most {@link PartitionEvent.MapCleared#MAX_KEYS} keys, all in this batch's one journal write.
   */
  private WriteOutcome clear(WriteOp.ClearMap op) {
    List<StoredEntry> held = working.entries(op.map());
    if (held.isEmpty()) {
      return new WriteOutcome(WriteOutcome.Status.CLEARED, 0);
    }
    long live = working.counts(now).getOrDefault(op.map(), 0L);
    for (int from = 0; from < held.size(); from += PartitionEvent.MapCleared.MAX_KEYS) {
      List<StoredEntry> chunk =
          held.subList(from, Math.min(held.size(), from + PartitionEvent.MapCleared.MAX_KEYS));
      emit(
          new PartitionEvent.MapCleared(
              op.map(),
              now,
              chunk.size(),
              chunk.stream().map(StoredEntry::key).toList(),
              chunk.stream().map(StoredEntry::version).toList(),
              op.principal(),
              writeId));
    }
    return new WriteOutcome(WriteOutcome.Status.CLEARED, live);
  }

  private WriteOutcome configure(WriteOp.Configure op) {
    var current = working.config(op.map());
    long currentVersion = current.map(MapConfig::version).orElse(0L);
    if (!WriteOp.satisfied(op.expected(), currentVersion)) {
      return new WriteOutcome(WriteOutcome.Status.PRECONDITION_FAILED, currentVersion);
    }
    if (op.remove()) {
      if (current.isEmpty()) {
        return new WriteOutcome(WriteOutcome.Status.NOT_FOUND, 0);
      }
      long version =
          emit(new PartitionEvent.MapConfigRemoved(op.map(), currentVersion, now, writeId));
      return new WriteOutcome(WriteOutcome.Status.DELETED, version);
    }
    long version =
        emit(
            new PartitionEvent.MapConfigured(
                op.map(),
                op.defaultTtlMillis(),
                op.maxValueBytes(),
                currentVersion,
                now,
                op.historyRetentionMillis(),
                writeId));
    return new WriteOutcome(
        current.isEmpty() ? WriteOutcome.Status.CREATED : WriteOutcome.Status.UPDATED, version);
  }

  /**
   * The record as the operation sees it. A record whose expiry time has passed but whose expiry is
   * not in the journal yet gets its EntryExpired event first, so its history stays exact: it
   * expired, then the operation found it absent.
   */
  private StoredEntry live(String map, String key) {
    var stored = working.stored(map, key);
    if (stored.isEmpty()) {
      return null;
    }
    if (stored.get().expiredAt(now)) {
      emit(new PartitionEvent.EntryExpired(map, key, stored.get().version(), now));
      return null;
    }
    return stored.get();
  }

  private long emit(PartitionEvent event) {
    long version = working.lastVersion() + 1;
    working = working.apply(event, version);
    events.add(event);
    return version;
  }

  /**
   * Why a write may not go ahead on {@code current}: its precondition fails, or it needs a record
   * and there is none. Null when it may.
   */
  private static WriteOutcome refusal(StoredEntry current, long expected, boolean mustExist) {
    long currentVersion = versionOf(current);
    if (!WriteOp.satisfied(expected, currentVersion)) {
      return new WriteOutcome(WriteOutcome.Status.PRECONDITION_FAILED, currentVersion);
    }
    if (mustExist && current == null) {
      return new WriteOutcome(WriteOutcome.Status.NOT_FOUND, 0);
    }
    return null;
  }

  private static long versionOf(StoredEntry entry) {
    return entry == null ? 0 : entry.version();
  }

  private static WriteOutcome.Status created(StoredEntry current) {
    return current == null ? WriteOutcome.Status.CREATED : WriteOutcome.Status.UPDATED;
  }

  /** Emits the record's new value, written by {@code op} now, with the op's idempotency key. */
  private long emitPut(
      WriteOp.Keyed op,
      byte[] value,
      String contentType,
      long previousVersion,
      long expiresAt,
      String operation) {
    return emit(
        new PartitionEvent.EntryPut(
            op.map(),
            op.key(),
            value,
            contentType,
            previousVersion,
            now,
            expiresAt,
            operation,
            requestId(op.request()),
            requestHash(op.request()),
            previousVersion == 0 ? working.removedAt(op.map(), op.key()) : 0,
            op.principal(),
            writeId));
  }

  private static String requestId(WriteOp.Request request) {
    return request == null ? null : request.id();
  }

  private static long requestHash(WriteOp.Request request) {
    return request == null ? 0 : request.hash();
  }
}
