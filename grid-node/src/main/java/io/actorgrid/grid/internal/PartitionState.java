package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.actorgrid.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import scala.collection.immutable.TreeMap;
import scala.math.Ordering;
import scala.math.Ordering$;

/*
 * The records of one partition, as an immutable value.
 *
 * Immutability is what lets the partition answer reads from the last durable state while a
 * journal write is in flight (the journal actor hands each new state to the partition actor), and
 * lets the snapshot store serialize a state later without a copy while events keep arriving.
 * Scala's persistent red-black trees give O(log n) updates that share structure with the previous
 * state, and keep keys sorted for prefix listing with a cursor. Keys sort by String.compareTo.
 */
public final class PartitionState implements CborSerializable {
  private static final Ordering<String> ORDER =
      Ordering$.MODULE$.comparatorToOrdering(Comparator.<String>naturalOrder());
  private static final TreeMap<String, StoredEntry> NO_ENTRIES = new TreeMap<>(ORDER);
  public static final PartitionState EMPTY = new PartitionState(new TreeMap<>(ORDER), 0, 0);

  private final TreeMap<String, TreeMap<String, StoredEntry>> maps;
  private final long lastVersion;
  private final long weight;

  private PartitionState(
      TreeMap<String, TreeMap<String, StoredEntry>> maps, long lastVersion, long weight) {
    this.maps = maps;
    this.lastVersion = lastVersion;
    this.weight = weight;
  }

  /** The sequence number of the last event applied; the version the next change gets is +1. */
  public long lastVersion() {
    return lastVersion;
  }

  /** Estimated bytes of all records, the size of a snapshot of this state. */
  public long weight() {
    return weight;
  }

  public Optional<StoredEntry> get(String map, String key) {
    var entries = maps.get(map);
    if (entries.isEmpty()) {
      return Optional.empty();
    }
    var entry = entries.get().get(key);
    return entry.isEmpty() ? Optional.empty() : Optional.of(entry.get());
  }

  public long versionOf(String map, String key) {
    return get(map, key).map(StoredEntry::version).orElse(0L);
  }

  /** Applies an event that the journal holds at sequence number {@code version}. */
  public PartitionState apply(PartitionEvent event, long version) {
    var entries = maps.get(event.map()).getOrElse(() -> NO_ENTRIES);
    var previous = entries.get(event.key());
    long previousWeight = previous.isEmpty() ? 0 : previous.get().weight();
    if (event instanceof PartitionEvent.EntryPut put) {
      long created = previous.isEmpty() ? put.timestamp() : previous.get().created();
      var entry =
          new StoredEntry(
              put.key(), put.value(), put.contentType(), version, created, put.timestamp());
      return new PartitionState(
          maps.updated(event.map(), entries.updated(put.key(), entry)),
          version,
          weight - previousWeight + entry.weight());
    }
    var remaining = entries.removed(event.key());
    var newMaps = remaining.isEmpty() ? maps.removed(event.map()) : maps.updated(event.map(), remaining);
    return new PartitionState(newMaps, version, weight - previousWeight);
  }

  /**
   * Up to {@code limit} records of {@code map} whose keys start with {@code prefix} and sort after
   * {@code after} (null: from the first), in key order, and whether more follow.
   */
  public Listing list(String map, String prefix, String after, int limit, boolean withValues) {
    var entries = maps.get(map);
    List<StoredEntry> out = new ArrayList<>(Math.min(limit, 256));
    if (entries.isEmpty()) {
      return new Listing(out, false);
    }
    String start = after != null && after.compareTo(prefix) >= 0 ? after : prefix;
    var it = entries.get().valuesIteratorFrom(start);
    while (it.hasNext()) {
      StoredEntry e = it.next();
      if (!e.key().startsWith(prefix)) {
        break;
      }
      if (after != null && e.key().equals(after)) {
        continue;
      }
      if (out.size() == limit) {
        return new Listing(out, true);
      }
      out.add(withValues ? e : e.withoutValue());
    }
    return new Listing(out, false);
  }

  /** Entry counts by map name, in name order; maps without entries do not appear. */
  public Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    var it = maps.iterator();
    while (it.hasNext()) {
      var pair = it.next();
      counts.put(pair._1(), (long) pair._2().size());
    }
    return counts;
  }

  public int size() {
    int size = 0;
    var it = maps.valuesIterator();
    while (it.hasNext()) {
      size += it.next().size();
    }
    return size;
  }

  /** A page of records, with whether more follow it. */
  public record Listing(List<StoredEntry> entries, boolean more) implements CborSerializable {}

  // Snapshot form: a plain list per map, so that the format does not depend on the tree.

  record Snapshot(long lastVersion, List<MapSnapshot> maps) {}

  record MapSnapshot(String name, List<StoredEntry> entries) {}

  @JsonValue
  Snapshot toSnapshot() {
    List<MapSnapshot> out = new ArrayList<>();
    var it = maps.iterator();
    while (it.hasNext()) {
      var pair = it.next();
      List<StoredEntry> entries = new ArrayList<>(pair._2().size());
      var values = pair._2().valuesIterator();
      while (values.hasNext()) {
        entries.add(values.next());
      }
      out.add(new MapSnapshot(pair._1(), entries));
    }
    return new Snapshot(lastVersion, out);
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static PartitionState fromSnapshot(Snapshot snapshot) {
    TreeMap<String, TreeMap<String, StoredEntry>> maps = new TreeMap<>(ORDER);
    long weight = 0;
    for (MapSnapshot m : snapshot.maps()) {
      TreeMap<String, StoredEntry> entries = NO_ENTRIES;
      for (StoredEntry e : m.entries()) {
        entries = entries.updated(e.key(), e);
        weight += e.weight();
      }
      maps = maps.updated(m.name(), entries);
    }
    return new PartitionState(maps, snapshot.lastVersion(), weight);
  }
}
