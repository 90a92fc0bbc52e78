package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import scala.Tuple2;
import scala.collection.immutable.TreeMap;
import scala.collection.immutable.TreeMap$;
import scala.collection.immutable.TreeSet;

/*
 * The snapshot form of a PartitionState: plain lists, so that the format does not depend on the
 * trees. PartitionState is serialized as the Snapshot record (its @JsonValue) and read back from
 * it (its delegating @JsonCreator), so the component names of these records are the snapshot
 * format: snapshots on disk must keep reading, and PartitionEventFormatTest guards them.
 *
 * The expiry index is derived from the records, and the weight is recomputed, on reading. configs,
 * requests, removals and writes are absent in snapshots written before they existed.
 */
final class PartitionSnapshot {
  private PartitionSnapshot() {}

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

  static Snapshot of(PartitionState state) {
    List<MapSnapshot> out = new ArrayList<>();
    var it = state.maps().iterator();
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
    var configIt = state.configTree().iterator();
    while (configIt.hasNext()) {
      var pair = configIt.next();
      configList.add(new ConfigSnapshot(pair._1(), pair._2()));
    }
    List<RequestRecord> requestList = new ArrayList<>(state.requestsByVersion().size());
    var requestIt = state.requestsByVersion().valuesIterator();
    while (requestIt.hasNext()) {
      requestList.add(requestIt.next());
    }
    List<RemovalsSnapshot> removalList = new ArrayList<>();
    var removalIt = state.removals().iterator();
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
        state.lastVersion(),
        out,
        configList,
        requestList,
        removalList,
        state.historyStart() > 1 ? state.historyStart() : 0,
        state.recent().toSnapshot());
  }

  static PartitionState toState(Snapshot snapshot) {
    PartitionState empty = PartitionState.EMPTY;
    TreeMap<String, TreeMap<String, StoredEntry>> maps = new TreeMap<>(PartitionState.ORDER);
    TreeSet<PartitionState.Expiry> expiries = empty.expiries();
    long weight = 0;
    for (MapSnapshot m : snapshot.maps()) {
      // The builder inserts in place and publishes the tree once: a seventh of the allocation of
      // one `updated` per record, and faster (SnapshotTreeBuildBenchmark).
      var builder = TreeMap$.MODULE$.<String, StoredEntry>newBuilder(PartitionState.ORDER);
      for (StoredEntry e : m.entries()) {
        builder.addOne(new Tuple2<>(e.key(), e));
        weight += e.weight();
        if (e.expiresAt() != 0) {
          expiries = expiries.incl(new PartitionState.Expiry(e.expiresAt(), m.name(), e.key()));
        }
      }
      maps = maps.updated(m.name(), builder.result());
    }
    TreeMap<String, MapConfig> configs = empty.configTree();
    if (snapshot.configs() != null) {
      for (ConfigSnapshot c : snapshot.configs()) {
        configs = configs.updated(c.name(), c.config());
        weight += 64;
      }
    }
    TreeMap<String, RequestRecord> requests = empty.requests();
    TreeMap<Long, RequestRecord> byVersion = empty.requestsByVersion();
    if (snapshot.requests() != null) {
      for (RequestRecord r : snapshot.requests()) {
        requests = requests.updated(r.id(), r);
        byVersion = byVersion.updated(r.seq(), r);
        weight += r.weight();
      }
    }
    TreeMap<String, TreeMap<String, Long>> removals = empty.removals();
    if (snapshot.removals() != null) {
      for (RemovalsSnapshot r : snapshot.removals()) {
        var builder = TreeMap$.MODULE$.<String, Long>newBuilder(PartitionState.ORDER);
        for (int i = 0; i < r.keys().size(); i++) {
          builder.addOne(new Tuple2<>(r.keys().get(i), r.events()[i]));
          weight += PartitionState.removalWeight(r.keys().get(i));
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
