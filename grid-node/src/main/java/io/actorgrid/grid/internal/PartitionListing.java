package io.actorgrid.grid.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/*
 * The reads of a PartitionState that walk many records: a page of one map's records by key prefix
 * after a cursor key, the live record count of every map, the records due to expire, and all the
 * records of one map. Listing and counting skip records whose expiry time has passed but whose
 * expiry event is not yet applied, as every read does.
 */
final class PartitionListing {
  private PartitionListing() {}

  /** See {@link PartitionState#list(String, String, String, int, boolean, long, long)}. */
  static PartitionState.Listing list(
      PartitionState state,
      String map,
      String prefix,
      String after,
      int limit,
      boolean withValues,
      long maxBytes,
      long now) {
    long bytes = 0;
    var entries = state.maps().get(map);
    List<StoredEntry> out = new ArrayList<>(Math.min(limit, 256));
    if (entries.isEmpty()) {
      return new PartitionState.Listing(out, false);
    }
    String start = after != null && after.compareTo(prefix) >= 0 ? after : prefix;
    var it = entries.get().valuesIteratorFrom(start);
    while (it.hasNext()) {
      StoredEntry e = it.next();
      if (!e.key().startsWith(prefix)) {
        break;
      }
      if ((after != null && e.key().equals(after)) || e.expiredAt(now)) {
        continue;
      }
      if (out.size() == limit) {
        return new PartitionState.Listing(out, true);
      }
      if (withValues) {
        bytes += e.value().length;
        if (bytes > maxBytes && !out.isEmpty()) {
          return new PartitionState.Listing(out, true);
        }
      }
      out.add(withValues ? e : e.withoutValue());
    }
    return new PartitionState.Listing(out, false);
  }

  /** See {@link PartitionState#counts(long)}. */
  static Map<String, Long> counts(PartitionState state, long now) {
    Map<String, Long> counts = new LinkedHashMap<>();
    var it = state.maps().iterator();
    while (it.hasNext()) {
      var pair = it.next();
      counts.put(pair._1(), (long) pair._2().size());
    }
    var expired = state.expiries().iterator();
    while (expired.hasNext()) {
      PartitionState.Expiry e = expired.next();
      if (e.at() > now) {
        break;
      }
      counts.computeIfPresent(e.map(), (map, n) -> n == 1 ? null : n - 1);
    }
    return counts;
  }

  /** See {@link PartitionState#expiredAt(long, int)}. */
  static List<WriteOp.Expire> expiredAt(PartitionState state, long now, int limit) {
    List<WriteOp.Expire> out = new ArrayList<>();
    var it = state.expiries().iterator();
    while (it.hasNext() && out.size() < limit) {
      PartitionState.Expiry e = it.next();
      if (e.at() > now) {
        break;
      }
      state
          .stored(e.map(), e.key())
          .ifPresent(entry -> out.add(new WriteOp.Expire(e.map(), e.key(), entry.version())));
    }
    return out;
  }

  /** See {@link PartitionState#entries(String)}. */
  static List<StoredEntry> entries(PartitionState state, String map) {
    var entries = state.maps().get(map);
    List<StoredEntry> out = new ArrayList<>(entries.isEmpty() ? 0 : entries.get().size());
    if (entries.isDefined()) {
      var it = entries.get().valuesIterator();
      while (it.hasNext()) {
        out.add(it.next());
      }
    }
    return out;
  }
}
