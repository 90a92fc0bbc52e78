package io.actorgrid.grid.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PartitionStateTest {

  private static PartitionState with(String map, String... keys) {
    PartitionState s = PartitionState.EMPTY;
    for (String k : keys) {
      s = s.apply(put(map, k, "v-" + k, 0), s.lastVersion() + 1);
    }
    return s;
  }

  private static PartitionEvent.EntryPut put(String map, String key, String value, long previous) {
    return new PartitionEvent.EntryPut(
        map,
        key,
        value.getBytes(StandardCharsets.UTF_8),
        "text/plain",
        previous,
        1000,
        0,
        null,
        null,
        0);
  }

  private static List<String> keys(PartitionState.Listing listing) {
    return listing.entries().stream().map(StoredEntry::key).toList();
  }

  @Test
  void putKeepsCreatedAndAdvancesVersion() {
    PartitionState s = with("m", "a");
    s =
        s.apply(
            new PartitionEvent.EntryPut(
                "m", "a", new byte[] {1}, "application/octet-stream", 1, 2000, 0, null, null, 0),
            2);
    StoredEntry e = s.stored("m", "a").orElseThrow();
    assertEquals(2, e.version());
    assertEquals(1000, e.created());
    assertEquals(2000, e.updated());
    assertEquals(2, s.lastVersion());
  }

  @Test
  void deleteRemovesTheRecordAndEmptyMaps() {
    PartitionState s = with("m", "a");
    s = s.apply(new PartitionEvent.EntryDeleted("m", "a", 1, 2000, null, 0), 2);
    assertTrue(s.stored("m", "a").isEmpty());
    assertEquals(Map.of(), s.counts(0));
    assertEquals(2, s.removedAt("m", "a"), "where the record's history continues");
    assertEquals(2, s.lastEventOf("m", "a"));
    assertTrue(s.weight() > 0 && s.weight() < 100, "what remains weighs the removal alone");
  }

  @Test
  void aWriteAfterARemovalForgetsIt() {
    PartitionState s = with("m", "a");
    s = s.apply(new PartitionEvent.EntryDeleted("m", "a", 1, 2000, null, 0), 2);
    s = s.apply(put("m", "a", "again", 0), 3);
    assertEquals(0, s.removedAt("m", "a"));
    assertEquals(3, s.lastEventOf("m", "a"));
    assertEquals(0, s.removalCount());
  }

  @Test
  void removalsSurviveTheSnapshotForm() {
    PartitionState s = with("m", "a", "b", "c");
    s = s.apply(new PartitionEvent.EntryDeleted("m", "a", 1, 2000, null, 0), 4);
    s = s.apply(new PartitionEvent.MapCleared("m", 3000, 2, List.of("b", "c"), List.of(2L, 3L)), 5);
    PartitionState restored = PartitionState.fromSnapshot(s.toSnapshot());
    assertEquals(4, restored.removedAt("m", "a"));
    assertEquals(5, restored.removedAt("m", "b"));
    assertEquals(5, restored.removedAt("m", "c"));
    assertEquals(0, restored.size("m"));
    assertEquals(s.weight(), restored.weight());
  }

  @Test
  void listFiltersByPrefixPagesAfterACursorAndTellsWhetherMoreFollow() {
    PartitionState s = with("m", "b1", "a1", "a3", "a2", "c");
    s = s.apply(put("other", "a0", "x", 0), s.lastVersion() + 1);

    PartitionState.Listing first = s.list("m", "a", null, 2, false, 0);
    assertEquals(List.of("a1", "a2"), keys(first));
    assertTrue(first.more());
    assertEquals(null, first.entries().get(0).value());

    PartitionState.Listing second = s.list("m", "a", "a2", 2, true, 0);
    assertEquals(List.of("a3"), keys(second));
    assertFalse(second.more());
    assertEquals("v-a3", new String(second.entries().get(0).value(), StandardCharsets.UTF_8));

    assertEquals(List.of("a1", "a2", "a3", "b1", "c"), keys(s.list("m", "", null, 10, false, 0)));
    // A cursor before the prefix starts at the prefix; one past it gives nothing.
    assertEquals(List.of("b1"), keys(s.list("m", "b", "a9", 10, false, 0)));
    assertEquals(List.of(), keys(s.list("m", "a", "b", 10, false, 0)));
    assertEquals(List.of(), keys(s.list("none", "", null, 10, false, 0)));
  }

  @Test
  void countsByMap() {
    PartitionState s = with("m", "a", "b");
    s = s.apply(put("n", "a", "x", 0), s.lastVersion() + 1);
    assertEquals(Map.of("m", 2L, "n", 1L), s.counts(0));
    assertEquals(3, s.size());
  }

  @Test
  void snapshotFormRoundTrips() {
    PartitionState s = with("m", "a", "b");
    s = s.apply(put("n", "z", "x", 0), s.lastVersion() + 1);
    PartitionState copy = PartitionState.fromSnapshot(s.toSnapshot());
    assertEquals(s.lastVersion(), copy.lastVersion());
    assertEquals(s.weight(), copy.weight());
    assertEquals(s.counts(0), copy.counts(0));
    assertEquals(
        s.stored("m", "b").orElseThrow().version(), copy.stored("m", "b").orElseThrow().version());
  }
}
