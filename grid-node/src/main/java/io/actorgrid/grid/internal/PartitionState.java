package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.actorgrid.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import scala.Tuple2;
import scala.collection.immutable.TreeMap;
import scala.collection.immutable.TreeMap$;
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
 */
public final class PartitionState implements CborSerializable {
  private static final Ordering<String> ORDER =
      Ordering$.MODULE$.comparatorToOrdering(Comparator.<String>naturalOrder());
  private static final Ordering<Long> LONG_ORDER =
      Ordering$.MODULE$.comparatorToOrdering(Comparator.<Long>naturalOrder());
  private static final Ordering<Expiry> EXPIRY_ORDER =
      Ordering$.MODULE$.comparatorToOrdering(
          Comparator.comparingLong(Expiry::at)
              .thenComparing(Expiry::map)
              .thenComparing(Expiry::key));
  private static final TreeMap<String, StoredEntry> NO_ENTRIES = new TreeMap<>(ORDER);
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

  private PartitionState(
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

  private PartitionState with(
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
  private static long removalWeight(String key) {
    return 48L + key.length() * 2L;
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
    List<WriteOp.Expire> out = new ArrayList<>();
    var it = expiries.iterator();
    while (it.hasNext() && out.size() < limit) {
      Expiry e = it.next();
      if (e.at() > now) {
        break;
      }
      stored(e.map(), e.key())
          .ifPresent(entry -> out.add(new WriteOp.Expire(e.map(), e.key(), entry.version())));
    }
    return out;
  }

  /** Applies an event that the journal holds at sequence number {@code version}. */
  public PartitionState apply(PartitionEvent event, long version) {
    PartitionState next = applyChange(event, version);
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

  private PartitionState applyChange(PartitionEvent event, long version) {
    if (event instanceof PartitionEvent.EntryPut put) {
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
      TreeSet<Expiry> newExpiries =
          previous.isEmpty() ? expiries : withoutExpiry(put.map(), previous.get());
      if (put.expiresAt() != 0) {
        newExpiries = newExpiries.incl(new Expiry(put.expiresAt(), put.map(), put.key()));
      }
      PartitionState next =
          with(
                  maps.updated(put.map(), entries.updated(put.key(), entry)),
                  newExpiries,
                  version,
                  weight - previousWeight + entry.weight())
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
              put.previousVersion() == 0
                  ? WriteOutcome.Status.CREATED
                  : WriteOutcome.Status.UPDATED,
              version,
              PartitionEvent.EntryPut.INCREMENT.equals(put.operation()) ? put.value() : null,
              null,
              put.timestamp(),
              version));
    }
    if (event instanceof PartitionEvent.RequestNoted noted) {
      return with(maps, expiries, version, weight)
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
          removeRecord(removal.map(), removal.key(), version)
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
      if (cleared.keys() != null) {
        PartitionState next = with(maps, expiries, version, weight);
        for (String key : cleared.keys()) {
          next =
              next.removeRecord(cleared.map(), key, version)
                  .withRemoval(cleared.map(), key, version);
        }
        return next;
      }
      var entries = maps.get(cleared.map());
      if (entries.isEmpty()) {
        return with(maps, expiries, version, weight);
      }
      long removedWeight = 0;
      TreeSet<Expiry> newExpiries = expiries;
      var it = entries.get().valuesIterator();
      while (it.hasNext()) {
        StoredEntry e = it.next();
        removedWeight += e.weight();
        if (e.expiresAt() != 0) {
          newExpiries = newExpiries.excl(new Expiry(e.expiresAt(), cleared.map(), e.key()));
        }
      }
      PartitionState next =
          with(maps.removed(cleared.map()), newExpiries, version, weight - removedWeight);
      var keys = entries.get().keysIterator();
      while (keys.hasNext()) {
        next = next.withRemoval(cleared.map(), keys.next(), version);
      }
      return next;
    }
    if (event instanceof PartitionEvent.MapConfigured configured) {
      var previous = config(configured.map());
      var config =
          new MapConfig(
              configured.defaultTtlMillis(),
              configured.maxValueBytes(),
              version,
              previous.map(MapConfig::created).orElse(configured.timestamp()),
              configured.timestamp(),
              configured.historyRetentionMillis());
      return new PartitionState(
          maps,
          expiries,
          configs.updated(configured.map(), config),
          requests,
          requestsByVersion,
          removals,
          recent,
          historyStart,
          version,
          weight + (previous.isEmpty() ? 64 : 0));
    }
    if (event instanceof PartitionEvent.HistoryTruncated truncated) {
      return withHistoryFrom(truncated.upTo() + 1, version);
    }
    var removed = (PartitionEvent.MapConfigRemoved) event;
    return new PartitionState(
        maps,
        expiries,
        configs.removed(removed.map()),
        requests,
        requestsByVersion,
        removals,
        recent,
        historyStart,
        version,
        weight - (configs.contains(removed.map()) ? 64 : 0));
  }

  private PartitionState removeRecord(String map, String key, long version) {
    var entries = maps.get(map).getOrElse(() -> NO_ENTRIES);
    var previous = entries.get(key);
    if (previous.isEmpty()) {
      return with(maps, expiries, version, weight);
    }
    var remaining = entries.removed(key);
    var newMaps = remaining.isEmpty() ? maps.removed(map) : maps.updated(map, remaining);
    return with(
        newMaps, withoutExpiry(map, previous.get()), version, weight - previous.get().weight());
  }

  /** Forgets the removals of records whose history ends before {@code start}. */
  private PartitionState withHistoryFrom(long start, long version) {
    var kept = removals;
    long newWeight = weight;
    var maps = removals.iterator();
    while (maps.hasNext()) {
      var pair = maps.next();
      var remaining = pair._2();
      var entries = pair._2().iterator();
      while (entries.hasNext()) {
        var entry = entries.next();
        if (entry._2() < start) {
          remaining = remaining.removed(entry._1());
          newWeight -= removalWeight(entry._1());
        }
      }
      if (remaining != pair._2()) {
        kept = remaining.isEmpty() ? kept.removed(pair._1()) : kept.updated(pair._1(), remaining);
      }
    }
    return new PartitionState(
        this.maps,
        expiries,
        configs,
        requests,
        requestsByVersion,
        kept,
        recent,
        Math.max(historyStart, start),
        version,
        newWeight);
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

  private PartitionState withRemoval(String map, String key, long version) {
    var removed = removals.get(map).getOrElse(() -> NO_REMOVALS);
    long added = removed.contains(key) ? 0 : removalWeight(key);
    return withRemovals(removals.updated(map, removed.updated(key, version)), weight + added);
  }

  private PartitionState withoutRemoval(String map, String key) {
    var removed = removals.get(map);
    if (removed.isEmpty() || !removed.get().contains(key)) {
      return this;
    }
    var remaining = removed.get().removed(key);
    return withRemovals(
        remaining.isEmpty() ? removals.removed(map) : removals.updated(map, remaining),
        weight - removalWeight(key));
  }

  private TreeSet<Expiry> withoutExpiry(String map, StoredEntry entry) {
    return entry.expiresAt() == 0
        ? expiries
        : expiries.excl(new Expiry(entry.expiresAt(), map, entry.key()));
  }

  private PartitionState withRequest(RequestRecord record) {
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
    long bytes = 0;
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
      if ((after != null && e.key().equals(after)) || e.expiredAt(now)) {
        continue;
      }
      if (out.size() == limit) {
        return new Listing(out, true);
      }
      if (withValues) {
        bytes += e.value().length;
        if (bytes > maxBytes && !out.isEmpty()) {
          return new Listing(out, true);
        }
      }
      out.add(withValues ? e : e.withoutValue());
    }
    return new Listing(out, false);
  }

  /** Live record counts by map name, in name order; maps without records do not appear. */
  public Map<String, Long> counts(long now) {
    Map<String, Long> counts = new LinkedHashMap<>();
    var it = maps.iterator();
    while (it.hasNext()) {
      var pair = it.next();
      counts.put(pair._1(), (long) pair._2().size());
    }
    var expired = expiries.iterator();
    while (expired.hasNext()) {
      Expiry e = expired.next();
      if (e.at() > now) {
        break;
      }
      counts.computeIfPresent(e.map(), (map, n) -> n == 1 ? null : n - 1);
    }
    return counts;
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
    var entries = maps.get(map);
    List<StoredEntry> out = new ArrayList<>(entries.isEmpty() ? 0 : entries.get().size());
    if (entries.isDefined()) {
      var it = entries.get().valuesIterator();
      while (it.hasNext()) {
        out.add(it.next());
      }
    }
    return out;
  }

  /** Records of one map held, expired ones included. */
  public int size(String map) {
    var entries = maps.get(map);
    return entries.isEmpty() ? 0 : entries.get().size();
  }

  /** A page of records, with whether more follow it. */
  public record Listing(List<StoredEntry> entries, boolean more) implements CborSerializable {}

  // Snapshot form: plain lists, so that the format does not depend on the trees. The expiry
  // index is derived from the records. configs, requests, removals and writes are absent in
  // snapshots written before they existed.

  record Snapshot(
      long lastVersion,
      List<MapSnapshot> maps,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ConfigSnapshot> configs,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<RequestRecord> requests,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<RemovalsSnapshot> removals,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long historyStart,
      @JsonInclude(JsonInclude.Include.NON_NULL) RecentWrites.Snapshot writes) {}

  record MapSnapshot(String name, List<StoredEntry> entries) {}

  /** The removed records of one map: keys and, index for index, the events that removed them. */
  record RemovalsSnapshot(String name, List<String> keys, long[] events) {}

  record ConfigSnapshot(String name, MapConfig config) {}

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
    List<ConfigSnapshot> configList = new ArrayList<>();
    var configIt = configs.iterator();
    while (configIt.hasNext()) {
      var pair = configIt.next();
      configList.add(new ConfigSnapshot(pair._1(), pair._2()));
    }
    List<RequestRecord> requestList = new ArrayList<>(requestsByVersion.size());
    var requestIt = requestsByVersion.valuesIterator();
    while (requestIt.hasNext()) {
      requestList.add(requestIt.next());
    }
    List<RemovalsSnapshot> removalList = new ArrayList<>();
    var removalIt = removals.iterator();
    while (removalIt.hasNext()) {
      var pair = removalIt.next();
      List<String> keys = new ArrayList<>(pair._2().size());
      long[] events = new long[pair._2().size()];
      var entries = pair._2().iterator();
      int i = 0;
      while (entries.hasNext()) {
        var entry = entries.next();
        keys.add(entry._1());
        events[i++] = entry._2();
      }
      removalList.add(new RemovalsSnapshot(pair._1(), keys, events));
    }
    return new Snapshot(
        lastVersion,
        out,
        configList,
        requestList,
        removalList,
        historyStart > 1 ? historyStart : 0,
        recent.toSnapshot());
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static PartitionState fromSnapshot(Snapshot snapshot) {
    TreeMap<String, TreeMap<String, StoredEntry>> maps = new TreeMap<>(ORDER);
    TreeSet<Expiry> expiries = EMPTY.expiries;
    long weight = 0;
    for (MapSnapshot m : snapshot.maps()) {
      // The builder inserts in place and publishes the tree once: a seventh of the allocation of
      // one `updated` per record, and faster (SnapshotTreeBuildBenchmark).
      var builder = TreeMap$.MODULE$.<String, StoredEntry>newBuilder(ORDER);
      for (StoredEntry e : m.entries()) {
        builder.addOne(new Tuple2<>(e.key(), e));
        weight += e.weight();
        if (e.expiresAt() != 0) {
          expiries = expiries.incl(new Expiry(e.expiresAt(), m.name(), e.key()));
        }
      }
      maps = maps.updated(m.name(), builder.result());
    }
    TreeMap<String, MapConfig> configs = EMPTY.configs;
    if (snapshot.configs() != null) {
      for (ConfigSnapshot c : snapshot.configs()) {
        configs = configs.updated(c.name(), c.config());
        weight += 64;
      }
    }
    TreeMap<String, RequestRecord> requests = EMPTY.requests;
    TreeMap<Long, RequestRecord> byVersion = EMPTY.requestsByVersion;
    if (snapshot.requests() != null) {
      for (RequestRecord r : snapshot.requests()) {
        requests = requests.updated(r.id(), r);
        byVersion = byVersion.updated(r.seq(), r);
        weight += r.weight();
      }
    }
    TreeMap<String, TreeMap<String, Long>> removals = EMPTY.removals;
    if (snapshot.removals() != null) {
      for (RemovalsSnapshot r : snapshot.removals()) {
        var builder = TreeMap$.MODULE$.<String, Long>newBuilder(ORDER);
        for (int i = 0; i < r.keys().size(); i++) {
          builder.addOne(new Tuple2<>(r.keys().get(i), r.events()[i]));
          weight += removalWeight(r.keys().get(i));
        }
        removals = removals.updated(r.name(), builder.result());
      }
    }
    RecentWrites recentWrites = RecentWrites.fromSnapshot(snapshot.writes());
    weight += recentWrites.size() * RecentWrites.WEIGHT;
    return new PartitionState(
        maps,
        expiries,
        configs,
        requests,
        byVersion,
        removals,
        recentWrites,
        Math.max(1, snapshot.historyStart()),
        snapshot.lastVersion(),
        weight);
  }
}
