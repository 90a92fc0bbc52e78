package io.actorgrid.grid.internal;

import scala.collection.immutable.TreeMap;
import scala.collection.immutable.TreeSet;

/*
 * What each partition event does to a PartitionState: the one place that turns the journal's
 * events into records, expiry-index entries, map settings, idempotency records and removed-record
 * bookkeeping. Replay and the live partition both go through it, so they cannot diverge. Every
 * step builds a new immutable state from the old one (see PartitionState); the recent-writes
 * memory is PartitionState.apply's concern, after the change here.
 */
final class PartitionChanges {
  private static final TreeMap<String, StoredEntry> NO_ENTRIES =
      new TreeMap<>(PartitionState.ORDER);

  private PartitionChanges() {}

  /** The state after {@code event}, which the journal holds at sequence number {@code version}. */
  static PartitionState apply(PartitionState state, PartitionEvent event, long version) {
    if (event instanceof PartitionEvent.EntryPut put) {
      return put(state, put, version);
    }
    if (event instanceof PartitionEvent.RequestNoted noted) {
      return state
          .with(state.maps(), state.expiries(), version, state.weight())
          .withRequest(
              new RequestRecord(
                  noted.requestId(),
                  noted.map(),
                  noted.key(),
                  noted.requestHash(),
                  noted.status(),
                  noted.version(),
                  null,
                  noted.detail(),
                  noted.timestamp(),
                  version));
    }
    if (event instanceof PartitionEvent.RecordEvent removal) {
      PartitionState next =
          removeRecord(state, removal.map(), removal.key(), version)
              .withRemoval(removal.map(), removal.key(), version);
      if (removal instanceof PartitionEvent.EntryDeleted deleted && deleted.requestId() != null) {
        return next.withRequest(
            new RequestRecord(
                deleted.requestId(),
                deleted.map(),
                deleted.key(),
                deleted.requestHash(),
                WriteOutcome.Status.DELETED,
                version,
                null,
                null,
                deleted.timestamp(),
                version));
      }
      return next;
    }
    if (event instanceof PartitionEvent.MapCleared cleared) {
      return clear(state, cleared, version);
    }
    if (event instanceof PartitionEvent.MapConfigured configured) {
      var previous = state.config(configured.map());
      var config =
          new MapConfig(
              configured.defaultTtlMillis(),
              configured.maxValueBytes(),
              version,
              previous.map(MapConfig::created).orElse(configured.timestamp()),
              configured.timestamp(),
              configured.historyRetentionMillis());
      return state.withConfigs(
          state.configTree().updated(configured.map(), config),
          version,
          state.weight() + (previous.isEmpty() ? 64 : 0));
    }
    if (event instanceof PartitionEvent.HistoryTruncated truncated) {
      return withHistoryFrom(state, truncated.upTo() + 1, version);
    }
    var removed = (PartitionEvent.MapConfigRemoved) event;
    return state.withConfigs(
        state.configTree().removed(removed.map()),
        version,
        state.weight() - (state.configTree().contains(removed.map()) ? 64 : 0));
  }

  private static PartitionState put(
      PartitionState state, PartitionEvent.EntryPut put, long version) {
    var maps = state.maps();
    var entries = maps.get(put.map()).getOrElse(() -> NO_ENTRIES);
    var previous = entries.get(put.key());
    long previousWeight = previous.isEmpty() ? 0 : previous.get().weight();
    long created = previous.isEmpty() ? put.timestamp() : previous.get().created();
    var entry =
        new StoredEntry(
            put.key(),
            put.value(),
            put.contentType(),
            version,
            created,
            put.timestamp(),
            put.expiresAt());
    TreeSet<PartitionState.Expiry> newExpiries =
        previous.isEmpty() ? state.expiries() : state.withoutExpiry(put.map(), previous.get());
    if (put.expiresAt() != 0) {
      newExpiries =
          newExpiries.incl(new PartitionState.Expiry(put.expiresAt(), put.map(), put.key()));
    }
    PartitionState next =
        state
            .with(
                maps.updated(put.map(), entries.updated(put.key(), entry)),
                newExpiries,
                version,
                state.weight() - previousWeight + entry.weight())
            .withoutRemoval(put.map(), put.key());
    if (put.requestId() == null) {
      return next;
    }
    return next.withRequest(
        new RequestRecord(
            put.requestId(),
            put.map(),
            put.key(),
            put.requestHash(),
            put.previousVersion() == 0 ? WriteOutcome.Status.CREATED : WriteOutcome.Status.UPDATED,
            version,
            PartitionEvent.EntryPut.INCREMENT.equals(put.operation()) ? put.value() : null,
            null,
            put.timestamp(),
            version));
  }

  private static PartitionState clear(
      PartitionState state, PartitionEvent.MapCleared cleared, long version) {
    if (cleared.keys() != null) {
      PartitionState next = state.with(state.maps(), state.expiries(), version, state.weight());
      for (String key : cleared.keys()) {
        next =
            removeRecord(next, cleared.map(), key, version)
                .withRemoval(cleared.map(), key, version);
      }
      return next;
    }
    var entries = state.maps().get(cleared.map());
    if (entries.isEmpty()) {
      return state.with(state.maps(), state.expiries(), version, state.weight());
    }
    long removedWeight = 0;
    TreeSet<PartitionState.Expiry> newExpiries = state.expiries();
    var it = entries.get().valuesIterator();
    while (it.hasNext()) {
      StoredEntry e = it.next();
      removedWeight += e.weight();
      if (e.expiresAt() != 0) {
        newExpiries =
            newExpiries.excl(new PartitionState.Expiry(e.expiresAt(), cleared.map(), e.key()));
      }
    }
    PartitionState next =
        state.with(
            state.maps().removed(cleared.map()),
            newExpiries,
            version,
            state.weight() - removedWeight);
    var keys = entries.get().keysIterator();
    while (keys.hasNext()) {
      next = next.withRemoval(cleared.map(), keys.next(), version);
    }
    return next;
  }

  private static PartitionState removeRecord(
      PartitionState state, String map, String key, long version) {
    var maps = state.maps();
    var entries = maps.get(map).getOrElse(() -> NO_ENTRIES);
    var previous = entries.get(key);
    if (previous.isEmpty()) {
      return state.with(maps, state.expiries(), version, state.weight());
    }
    var remaining = entries.removed(key);
    var newMaps = remaining.isEmpty() ? maps.removed(map) : maps.updated(map, remaining);
    return state.with(
        newMaps,
        state.withoutExpiry(map, previous.get()),
        version,
        state.weight() - previous.get().weight());
  }

  /** Forgets the removals of records whose history ends before {@code start}. */
  private static PartitionState withHistoryFrom(PartitionState state, long start, long version) {
    var kept = state.removals();
    long newWeight = state.weight();
    var maps = state.removals().iterator();
    while (maps.hasNext()) {
      var pair = maps.next();
      var remaining = pair._2();
      var entries = pair._2().iterator();
      while (entries.hasNext()) {
        var entry = entries.next();
        if (entry._2() < start) {
          remaining = remaining.removed(entry._1());
          newWeight -= PartitionState.removalWeight(entry._1());
        }
      }
      if (remaining != pair._2()) {
        kept = remaining.isEmpty() ? kept.removed(pair._1()) : kept.updated(pair._1(), remaining);
      }
    }
    return state.withHistory(kept, Math.max(state.historyStart(), start), version, newWeight);
  }
}
