package io.actorgrid.grid.internal;

import io.actorgrid.grid.Change;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The changes an event of a partition's journal stands for, in a fixed order, before any filter:
 * one for a record event, one per key for a clear that names its keys (one without a key for a
 * clear written before clears named them), none for settings and noted requests. A position inside
 * an event counts these, so it means the same to every filter.
 */
final class Changes {
  private Changes() {}

  /** A change without its id; {@code version} is the event's sequence number. */
  record Draft(
      String map,
      String key,
      Change.Op op,
      long version,
      long timestamp,
      String contentType,
      byte[] value) {
    Change withId(String id, boolean values) {
      return new Change(
          id,
          map,
          key,
          op,
          version,
          Instant.ofEpochMilli(timestamp),
          values ? contentType : null,
          values ? value : null);
    }
  }

  static List<Draft> of(JournalReader.StoredEvent stored) {
    long seq = stored.sequenceNr();
    PartitionEvent event = stored.event();
    if (event instanceof PartitionEvent.EntryPut put) {
      return List.of(
          new Draft(
              put.map(),
              put.key(),
              opOf(put.operation()),
              seq,
              put.timestamp(),
              put.contentType(),
              put.value()));
    }
    if (event instanceof PartitionEvent.EntryDeleted deleted) {
      return List.of(
          new Draft(
              deleted.map(),
              deleted.key(),
              Change.Op.DELETE,
              seq,
              deleted.timestamp(),
              null,
              null));
    }
    if (event instanceof PartitionEvent.EntryExpired expired) {
      return List.of(
          new Draft(
              expired.map(),
              expired.key(),
              Change.Op.EXPIRE,
              seq,
              expired.timestamp(),
              null,
              null));
    }
    if (event instanceof PartitionEvent.MapCleared cleared) {
      List<String> keys = clearedKeys(cleared);
      if (keys == null) {
        return List.of(
            new Draft(cleared.map(), null, Change.Op.CLEAR, seq, cleared.timestamp(), null, null));
      }
      List<Draft> drafts = new ArrayList<>(keys.size());
      for (String key : keys) {
        drafts.add(
            new Draft(cleared.map(), key, Change.Op.CLEAR, seq, cleared.timestamp(), null, null));
      }
      return drafts;
    }
    return List.of();
  }

  /**
   * The keys a clear removed; null when it does not name them (written before clears did: it
   * removed every key of its map in the partition).
   */
  private static List<String> clearedKeys(PartitionEvent.MapCleared cleared) {
    return cleared.keys();
  }

  private static Change.Op opOf(String operation) {
    if (PartitionEvent.EntryPut.PATCH.equals(operation)) {
      return Change.Op.PATCH;
    }
    if (PartitionEvent.EntryPut.INCREMENT.equals(operation)) {
      return Change.Op.INCREMENT;
    }
    return Change.Op.PUT;
  }

  /** Which changes a feed delivers: of one map or all ({@code map} null), keys with a prefix. */
  record Filter(String map, String prefix) {
    boolean accepts(Draft draft) {
      if (map != null && !map.equals(draft.map())) {
        return false;
      }
      // The node's own maps (Grid.reservedMap, such as the HTTP API's tokens) are not the users'.
      if (map == null && draft.map().startsWith(io.actorgrid.grid.GridLimits.RESERVED_MAP_PREFIX)) {
        return false;
      }
      // A clear without keys removed every key of its map in the partition, these too.
      return draft.key() == null || draft.key().startsWith(prefix);
    }
  }
}
