package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.actorgrid.serialization.CborSerializable;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import scala.collection.immutable.TreeMap;
import scala.collection.immutable.TreeSet;
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
 *
 * Beside the records it holds:
 * - an index of expiry times, ordered by time, so the partition finds the next record to expire
 *   without a scan (rebuilt from the records when a snapshot loads);
 * - the settings of the maps whose home this partition is;
 * - the idempotency records of recent keyed writes, by key and by version (oldest first), so a
 *   retry finds its original outcome and old ones are forgotten in order;
 * - for each removed record (deleted, expired or cleared, and not written since), the sequence
 *   number of the event that removed it: where its history starts when it is read or written again.
 *   These cost about 100 bytes of heap each, until history retention forgets them;
 * - what the writes applied lately did, by internal write id (RecentWrites), so that a node that
 *   sends a write again after a hand-off gets its first outcome instead of a second change.
 *
 * Records whose expiry time has passed stay until their EntryExpired event is applied, but every
 * read treats them as absent.
 *
 * This class holds the trees and their small reads and updates; what each event does is in
 * PartitionChanges, the reads that walk many records in PartitionListing, and the snapshot form
 * (this class's serialized form) in PartitionSnapshot.
 */
public final class PartitionState implements CborSerializable {
  static final Ordering<String> ORDER =
      Ordering$.MODULE$.comparatorToOrdering(Comparator.<String>naturalOrder());
  private static final Ordering<Long> LONG_ORDER =
      Ordering$.MODULE$.comparatorToOrdering(Comparator.<Long>naturalOrder());
  private static final Ordering<Expiry> EXPIRY_ORDER =
      Ordering$.MODULE$.comparatorToOrdering(
          Comparator.comparingLong(Expiry::at)
              .thenComparing(Expiry::map)
              .thenComparing(Expiry::key));
  private static final TreeMap<String, Long> NO_REMOVALS = new TreeMap<>(ORDER);
  public static final PartitionState EMPTY =
      new PartitionState(
          new TreeMap<>(ORDER),
          new TreeSet<>(EXPIRY_ORDER),
          new TreeMap<>(ORDER),
          new TreeMap<>(ORDER),
          new TreeMap<>(LONG_ORDER),
          new TreeMap<>(ORDER),
          RecentWrites.EMPTY,
          1,
          0,
          0);

  private final TreeMap<String, TreeMap<String, StoredEntry>> maps;
  private final TreeSet<Expiry> expiries;
  private final TreeMap<String, MapConfig> configs;
  private final TreeMap<String, RequestRecord> requests;
  // Keyed by the sequence number of the event that recorded each: oldest first.
  private final TreeMap<Long, RequestRecord> requestsByVersion;
  // Removed records by map and key: the sequence number of the event that removed each.
  private final TreeMap<String, TreeMap<String, Long>> removals;
  // What the writes applied lately did, by internal write id.
  private final RecentWrites recent;
  // The oldest event history retention keeps (1: all).
  private final long historyStart;
  private final long lastVersion;
  private final long weight;

  PartitionState(
      TreeMap<String, TreeMap<String, StoredEntry>> maps,
      TreeSet<Expiry> expiries,
      TreeMap<String, MapConfig> configs,
      TreeMap<String, RequestRecord> requests,
      TreeMap<Long, RequestRecord> requestsByVersion,
      TreeMap<String, TreeMap<String, Long>> removals,
      RecentWrites recent,
      long historyStart,
      long lastVersion,
      long weight) {
    this.recent = recent;
    this.historyStart = historyStart;
    this.maps = maps;
    this.expiries = expiries;
    this.configs = configs;
    this.requests = requests;
    this.requestsByVersion = requestsByVersion;
    this.removals = removals;
    this.lastVersion = lastVersion;
    this.weight = weight;
  }

  PartitionState with(
      TreeMap<String, TreeMap<String, StoredEntry>> maps,
      TreeSet<Expiry> expiries,
      long lastVersion,
      long weight) {
    return new PartitionState(
        maps,
        expiries,
        configs,
        requests,
        requestsByVersion,
        removals,
        recent,
        historyStart,
        lastVersion,
        weight);
  }

  private PartitionState withRemovals(
      TreeMap<String, TreeMap<String, Long>> removals, long weight) {
    return new PartitionState(
        maps,
        expiries,
        configs,
        requests,
        requestsByVersion,
        removals,
        recent,
        historyStart,
        lastVersion,
        weight);
  }

  /** Heap and snapshot bytes of one removal: the key, its number and a tree node. */
  static long removalWeight(String key) {
    return 48L + key.length() * 2L;
  }

  /** The state with these map settings, after the event at {@code lastVersion}. */
  PartitionState withConfigs(TreeMap<String, MapConfig> configs, long lastVersion, long weight) {
    return new PartitionState(
        maps,
        expiries,
        configs,
        requests,
        requestsByVersion,
        removals,
        recent,
        historyStart,
        lastVersion,
        weight);
  }

  // The trees themselves, for PartitionChanges, PartitionListing and PartitionSnapshot.

  TreeMap<String, TreeMap<String, StoredEntry>> maps() {
    return maps;
  }

  TreeSet<Expiry> expiries() {
    return expiries;
  }

  TreeMap<String, MapConfig> configTree() {
    return configs;
  }

  TreeMap<String, RequestRecord> requests() {
    return requests;
  }

  TreeMap<Long, RequestRecord> requestsByVersion() {
    return requestsByVersion;
  }

  TreeMap<String, TreeMap<String, Long>> removals() {
    return removals;
  }

  RecentWrites recent() {
    return recent;
  }

  /** When a record expires: the order of the expiry index. */
  record Expiry(long at, String map, String key) {}

  /** The sequence number of the last event applied; the version the next change gets is +1. */
  public long lastVersion() {
    return lastVersion;
  }

  /** How many idempotency keys the partition remembers. */
  public int requestCount() {
    return requests.size();
  }

  /** Estimated bytes of all records, the size of a snapshot of this state. */
  public long weight() {
    return weight;
  }

  /** The record, also when it has expired but its expiry is not yet in the journal. */
  public Optional<StoredEntry> stored(String map, String key) {
    var entries = maps.get(map);
    if (entries.isEmpty()) {
      return Optional.empty();
    }
    var entry = entries.get().get(key);
    return entry.isEmpty() ? Optional.empty() : Optional.of(entry.get());
  }

  /** The record as a reader at {@code now} sees it: absent once it has expired. */
  public Optional<StoredEntry> get(String map, String key, long now) {
    return stored(map, key).filter(e -> !e.expiredAt(now));
  }

  /** The version of the record held (expired or not), 0 when there is none. */
  public long versionOf(String map, String key) {
    return stored(map, key).map(StoredEntry::version).orElse(0L);
  }

  /**
   * The sequence number of the record's last event: its version while it exists, the event that
   * removed it after that (as long as it is remembered), 0 when it never existed.
   */
  public long lastEventOf(String map, String key) {
    var stored = stored(map, key);
    return stored.isPresent() ? stored.get().version() : removedAt(map, key);
  }

  /** The sequence number of the event that removed the absent record, 0 when none is known. */
  public long removedAt(String map, String key) {
    var removed = removals.get(map);
    if (removed.isEmpty()) {
      return 0;
    }
    var at = removed.get().get(key);
    return at.isEmpty() ? 0 : at.get();
  }

  /** How many removed records the partition remembers. */
  public int removalCount() {
    int n = 0;
    var it = removals.valuesIterator();
    while (it.hasNext()) {
      n += it.next().size();
    }
    return n;
  }

  public Optional<MapConfig> config(String map) {
    var config = configs.get(map);
    return config.isEmpty() ? Optional.empty() : Optional.of(config.get());
  }

  public Optional<RequestRecord> request(String id) {
    var record = requests.get(id);
    return record.isEmpty() ? Optional.empty() : Optional.of(record.get());
  }

  /** Epoch milliseconds of the earliest expiry, or Long.MAX_VALUE when no record expires. */
  public long nextExpiry() {
    return expiries.isEmpty() ? Long.MAX_VALUE : expiries.head().at();
  }

  /** Up to {@code limit} records that have expired at {@code now}, earliest first. */
  public List<WriteOp.Expire> expiredAt(long now, int limit) {
    return PartitionListing.expiredAt(this, now, limit);
  }

  /** Applies an event that the journal holds at sequence number {@code version}. */
  public PartitionState apply(PartitionEvent event, long version) {
    PartitionState next = PartitionChanges.apply(this, event, version);
    return event.writeId() == 0 ? next : next.withRecent(next.recent.record(event, version));
  }

  private PartitionState withRecent(RecentWrites newRecent) {
    return new PartitionState(
        maps,
        expiries,
        configs,
        requests,
        requestsByVersion,
        removals,
        newRecent,
        historyStart,
        lastVersion,
        weight + (newRecent.size() - recent.size()) * RecentWrites.WEIGHT);
  }

  /**
   * What the operation with this internal write id did, when the partition still remembers it (see
   * {@link RecentWrites}).
   */
  public Optional<WriteOutcome> recentWrite(long writeId) {
    return recent.outcome(writeId);
  }

  /** How many internal write ids the partition remembers. */
  public int recentWriteCount() {
    return recent.size();
  }

  /**
   * Forgets the internal write ids of writes older than {@code oldestAt} (epoch milliseconds) and
   * all but the newest {@code max}; like {@link #forgetRequests}, applied after every event.
   */
  public PartitionState forgetWrites(long oldestAt, int max) {
    RecentWrites kept = recent.forget(oldestAt, max);
    return kept == recent ? this : withRecent(kept);
  }

  /**
   * The state with these removed records and this history start, after the event at {@code
   * lastVersion}.
   */
  PartitionState withHistory(
      TreeMap<String, TreeMap<String, Long>> removals,
      long historyStart,
      long lastVersion,
      long weight) {
    return new PartitionState(
        maps,
        expiries,
        configs,
        requests,
        requestsByVersion,
        removals,
        recent,
        historyStart,
        lastVersion,
        weight);
  }

  /** The oldest event that history retention keeps: 1 until it has removed some. */
  public long historyStart() {
    return historyStart;
  }

  /** The maps that have records, or remembered removed records, in this partition. */
  public java.util.Set<String> mapsWithHistory() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    maps.keysIterator().foreach(names::add);
    removals.keysIterator().foreach(names::add);
    return names;
  }

  PartitionState withRemoval(String map, String key, long version) {
    var removed = removals.get(map).getOrElse(() -> NO_REMOVALS);
    long added = removed.contains(key) ? 0 : removalWeight(key);
    return withRemovals(removals.updated(map, removed.updated(key, version)), weight + added);
  }

  PartitionState withoutRemoval(String map, String key) {
    var removed = removals.get(map);
    if (removed.isEmpty() || !removed.get().contains(key)) {
      return this;
    }
    var remaining = removed.get().removed(key);
    return withRemovals(
        remaining.isEmpty() ? removals.removed(map) : removals.updated(map, remaining),
        weight - removalWeight(key));
  }

  TreeSet<Expiry> withoutExpiry(String map, StoredEntry entry) {
    return entry.expiresAt() == 0
        ? expiries
        : expiries.excl(new Expiry(entry.expiresAt(), map, entry.key()));
  }

  PartitionState withRequest(RequestRecord record) {
    var old = requests.get(record.id());
    var byVersion = old.isEmpty() ? requestsByVersion : requestsByVersion.removed(old.get().seq());
    return new PartitionState(
        maps,
        expiries,
        configs,
        requests.updated(record.id(), record),
        byVersion.updated(record.seq(), record),
        removals,
        recent,
        historyStart,
        lastVersion,
        weight + record.weight() - (old.isEmpty() ? 0 : old.get().weight()));
  }

  /**
   * Forgets idempotency records older than {@code oldestAt} (epoch milliseconds) and all but the
   * newest {@code max}. Applied after every event, so replay forgets exactly what the live
   * partition forgot.
   */
  public PartitionState forgetRequests(long oldestAt, int max) {
    var byId = requests;
    var byVersion = requestsByVersion;
    long newWeight = weight;
    while (!byVersion.isEmpty()) {
      RequestRecord oldest = byVersion.head()._2();
      if (oldest.at() >= oldestAt && byVersion.size() <= max) {
        break;
      }
      byVersion = byVersion.tail();
      byId = byId.removed(oldest.id());
      newWeight -= oldest.weight();
    }
    if (byVersion == requestsByVersion) {
      return this;
    }
    return new PartitionState(
        maps,
        expiries,
        configs,
        byId,
        byVersion,
        removals,
        recent,
        historyStart,
        lastVersion,
        newWeight);
  }

  /**
   * Up to {@code limit} live records of {@code map} whose keys start with {@code prefix} and sort
   * after {@code after} (null: from the first), in key order, and whether more follow.
   */
  public Listing list(
      String map, String prefix, String after, int limit, boolean withValues, long now) {
    return list(map, prefix, after, limit, withValues, Long.MAX_VALUE, now);
  }

  /**
   * As {@link #list(String, String, String, int, boolean, long)}, but with values of at most {@code
   * maxBytes} in all: the listing stops before the value that would pass that (the first value
   * always goes) and says there is more.
   */
  public Listing list(
      String map,
      String prefix,
      String after,
      int limit,
      boolean withValues,
      long maxBytes,
      long now) {
    return PartitionListing.list(this, map, prefix, after, limit, withValues, maxBytes, now);
  }

  /** Live record counts by map name, in name order; maps without records do not appear. */
  public Map<String, Long> counts(long now) {
    return PartitionListing.counts(this, now);
  }

  /** The settings this partition holds, by map name. */
  public Map<String, MapConfig> configs() {
    Map<String, MapConfig> out = new LinkedHashMap<>();
    var it = configs.iterator();
    while (it.hasNext()) {
      var pair = it.next();
      out.put(pair._1(), pair._2());
    }
    return out;
  }

  /** Records held, expired ones included. */
  public int size() {
    int size = 0;
    var it = maps.valuesIterator();
    while (it.hasNext()) {
      size += it.next().size();
    }
    return size;
  }

  /** Every record of one map held, expired ones included, in key order. */
  public List<StoredEntry> entries(String map) {
    return PartitionListing.entries(this, map);
  }

  /** Records of one map held, expired ones included. */
  public int size(String map) {
    var entries = maps.get(map);
    return entries.isEmpty() ? 0 : entries.get().size();
  }

  /** A page of records, with whether more follow it. */
  public record Listing(List<StoredEntry> entries, boolean more) implements CborSerializable {}

  // The snapshot form (PartitionSnapshot) is this state's serialized form.

  @JsonValue
  PartitionSnapshot.Snapshot toSnapshot() {
    return PartitionSnapshot.of(this);
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static PartitionState fromSnapshot(PartitionSnapshot.Snapshot snapshot) {
    return PartitionSnapshot.toState(snapshot);
  }
}
