package io.actorgrid.grid.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The hub's ring: what live feeds follow, and where a feed may join it. */
class ChangeRingTest {
  // A ring of 4 partitions: the ring does not depend on the count, and each position is written
  // out.
  private static final int PARTITIONS = 4;

  private static JournalReader.StoredEvent put(long seq, String key) {
    return new JournalReader.StoredEvent(
        seq,
        new PartitionEvent.EntryPut(
            "m", key, "1".getBytes(UTF_8), "application/json", 0, 1000, 0, null, null, 0));
  }

  /** A ring that knows every partition's end: partition p at 10 * p. */
  private static ChangeRing known() {
    ChangeRing ring = new ChangeRing(PARTITIONS);
    for (int p = 0; p < PARTITIONS; p++) {
      ring.jump(p, 10L * p);
    }
    return ring;
  }

  @Test
  void noFeedJoinsWhileSomePartitionsEndIsUnknown() {
    ChangeRing ring = new ChangeRing(PARTITIONS);
    ring.jump(0, 0);
    ring.jump(1, 10);
    ring.jump(2, 20);
    assertEquals(-1, ring.attach(new long[] {0, 10, 20, 0}));
    ring.jump(3, 30);
    assertEquals(4, ring.attach(new long[] {0, 10, 20, 30}));
  }

  @Test
  void eachUnitCarriesTheIdsOfTheHubsPositionAfterIt() {
    ChangeRing ring = known();
    ring.append(2, put(21, "a"));
    ring.append(0, put(1, "b"));
    List<ChangeRing.Unit> units = ring.from(PARTITIONS, 10);
    assertEquals(2, units.size());
    assertEquals(ChangePosition.encode(new long[] {0, 10, 21, 30}, -1, 0), units.get(0).ids[0]);
    assertEquals(ChangePosition.encode(new long[] {1, 10, 21, 30}, -1, 0), units.get(1).ids[0]);
    assertEquals(20, units.get(0).previous);
    assertEquals(21, units.get(0).end);
    // Every feed that asks gets the same items: made once, rendered once.
    FeedItem[] items = units.get(0).items(false);
    assertSame(items, units.get(0).items(false));
    assertEquals("a", items[0].change().key());
    assertEquals(units.get(0).ids[0], items[0].change().id());
    assertNull(items[0].change().value());
    assertArrayEquals("1".getBytes(UTF_8), units.get(0).items(true)[0].change().value());
  }

  @Test
  void aClearOfSeveralKeysHasAnIdInsideTheEventForAllButItsLastChange() {
    ChangeRing ring = known();
    ring.append(
        1,
        new JournalReader.StoredEvent(
            11,
            new PartitionEvent.MapCleared(
                "m", 1000, 3, List.of("x", "y", "z"), List.of(3L, 4L, 5L))));
    ChangeRing.Unit unit = ring.from(PARTITIONS, 1).get(0);
    long[] before = {0, 10, 20, 30};
    assertEquals(ChangePosition.encode(before, 1, 1), unit.ids[0]);
    assertEquals(ChangePosition.encode(before, 1, 2), unit.ids[1]);
    assertEquals(ChangePosition.encode(new long[] {0, 11, 20, 30}, -1, 0), unit.ids[2]);
  }

  @Test
  void aFeedJoinsAfterTheNewestUnitWhoseHubPositionIsItsOwn() {
    ChangeRing ring = known(); // units 0-3: the jumps
    ring.append(0, put(1, "a")); // 4
    ring.append(1, put(11, "b")); // 5
    ring.append(0, put(2, "c")); // 6
    // At the hub's position now: from the next unit.
    assertEquals(7, ring.attach(new long[] {2, 11, 20, 30}));
    // A feed that has seen a and b but not c: from c on.
    assertEquals(6, ring.attach(new long[] {1, 11, 20, 30}));
    // Before a and b: from a on.
    assertEquals(4, ring.attach(new long[] {0, 10, 20, 30}));
    // A position the hub never was at (b without a) cannot join.
    assertEquals(-1, ring.attach(new long[] {0, 11, 20, 30}));
    // Nor one ahead of the hub.
    assertEquals(-1, ring.attach(new long[] {3, 11, 20, 30}));
  }

  @Test
  void aJumpIsAUnitLiveFeedsMustLeaveAt() {
    ChangeRing ring = known();
    ring.append(3, put(31, "a"));
    ring.jump(3, 40); // events 32-40 were not seen by the hub
    ring.append(3, put(41, "b"));
    List<ChangeRing.Unit> units = ring.from(PARTITIONS, 10);
    assertFalse(units.get(0).isJump());
    assertTrue(units.get(1).isJump());
    assertEquals(31, units.get(1).previous);
    assertEquals(40, units.get(1).end);
    // A feed that read 32-40 from the journal is at the hub's position after the jump.
    assertEquals(PARTITIONS + 2, ring.attach(new long[] {0, 10, 20, 40}));
  }

  @Test
  void theRingHoldsItsLatestUnitsOnly() {
    ChangeRing ring = known();
    for (int i = 1; i <= ChangeRing.CAPACITY; i++) {
      ring.append(0, put(i, "k" + i));
    }
    assertNull(ring.from(0, 10), "the oldest units are gone");
    assertEquals(10, ring.from(PARTITIONS + 10, 10).size());
    ring.reset();
    assertEquals(-1, ring.attach(new long[] {ChangeRing.CAPACITY, 10, 20, 30}));
  }
}
