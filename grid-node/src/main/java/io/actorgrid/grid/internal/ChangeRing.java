package io.actorgrid.grid.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/*
 * The order in which this node's ChangeHub learned of events, over every partition: a bounded ring
 * of units, one per event (or per jump, below), each with the hub's position after it (`ends`, one
 * sequence number per partition) already encoded as the ids of its changes.
 *
 * A feed whose position is the hub's position after some unit (attach) can follow the ring from
 * there (ChangeFeed's live mode): its position after each later unit is again the hub's, so the
 * unit's ids are its ids, and the unit's FeedItems, made once, serve every such feed. That is what
 * makes a hundred subscribers cost little more than one: ids, changes and their rendering are
 * shared, each feed only filters.
 *
 * A jump is a unit without events: the hub moved a partition's end without seeing the events in
 * between (a lost push, events read by a feed before the hub, the first news of a partition). A
 * live feed cannot follow it without skipping changes, so it leaves live mode there and reads that
 * partition's journal as any other feed would.
 *
 * Guarded by this. ChangeHub calls append and jump while holding a partition's Tail, never the
 * other way round.
 */
final class ChangeRing {
  static final int CAPACITY = 4096;
  static final long MAX_BYTES = 8 * 1024 * 1024;

  /** How far back from the newest unit attach looks for the feed's position. */
  static final int ATTACH_WALK = 1024;

  /** One event (or jump) of one partition, in the order the hub learned of it. */
  static final class Unit {
    final int partition;
    // The partition's end before and after this unit: a unit of an event has end = previous + 1.
    final long previous;
    final long end;
    // The event's changes, before any filter; null for a jump.
    final List<Changes.Draft> drafts;
    // The id after each draft for a feed at the hub's position; null when the hub did not know
    // every partition's end then (no feed can be at that position).
    final String[] ids;
    final long weight;
    // Guarded by this: the items with and without values, made for the first feed that wants them.
    private FeedItem[] withValues;
    private FeedItem[] withoutValues;

    private Unit(int partition, long previous, long end, List<Changes.Draft> drafts, String[] ids) {
      this.partition = partition;
      this.previous = previous;
      this.end = end;
      this.drafts = drafts;
      this.ids = ids;
      long w = 64;
      if (drafts != null) {
        for (Changes.Draft draft : drafts) {
          w += 64 + (draft.value() == null ? 0 : draft.value().length);
        }
      }
      if (ids != null && ids.length > 0) {
        w += (long) ids.length * ids[ids.length - 1].length();
      }
      this.weight = w;
    }

    boolean isJump() {
      return drafts == null;
    }

    /** The unit's changes as items, shared by every live feed that asks for values or not. */
    synchronized FeedItem[] items(boolean values) {
      FeedItem[] items = values ? withValues : withoutValues;
      if (items == null) {
        items = new FeedItem[drafts.size()];
        for (int i = 0; i < items.length; i++) {
          items[i] = new FeedItem(drafts.get(i).withId(ids[i], values));
        }
        if (values) {
          withValues = items;
        } else {
          withoutValues = items;
        }
      }
      return items;
    }
  }

  private final Unit[] ring = new Unit[CAPACITY];
  private final long[] ends;
  private int unknown;
  private long first;
  private long next;
  private long bytes;

  ChangeRing(int partitions) {
    this.ends = new long[partitions];
    Arrays.fill(ends, -1);
    this.unknown = partitions;
  }

  /** The hub appended {@code event} to partition {@code p}'s tail, right after its end. */
  synchronized void append(int p, JournalReader.StoredEvent event) {
    long previous = ends[p];
    long seq = event.sequenceNr();
    List<Changes.Draft> drafts = Changes.of(event);
    setEnd(p, seq);
    String[] ids = null;
    if (unknown == 0) {
      ids = new String[drafts.size()];
      if (ids.length > 0) {
        ids[ids.length - 1] = ChangePosition.encode(ends, -1, 0);
      }
      if (ids.length > 1) {
        // Inside the event: the partition before it, and how many of its changes were delivered.
        ends[p] = seq - 1;
        for (int i = 0; i < ids.length - 1; i++) {
          ids[i] = ChangePosition.encode(ends, p, i + 1);
        }
        ends[p] = seq;
      }
    }
    add(new Unit(p, previous, seq, drafts, ids));
  }

  /** The hub moved partition {@code p}'s end to {@code end} without the events before it. */
  synchronized void jump(int p, long end) {
    long previous = ends[p];
    if (previous == end) {
      return;
    }
    setEnd(p, end);
    add(new Unit(p, previous, end, null, null));
  }

  /** The hub forgot every partition (no feed runs): nobody can follow the ring any more. */
  synchronized void reset() {
    Arrays.fill(ring, null);
    Arrays.fill(ends, -1);
    unknown = ends.length;
    first = next;
    bytes = 0;
  }

  /**
   * The index from which a feed at {@code seqs} (no event half delivered) can follow the ring: the
   * newest unit after which the hub's position was exactly {@code seqs}, looking back at most
   * ATTACH_WALK units; -1 when there is none.
   */
  synchronized long attach(long[] seqs) {
    if (unknown > 0 || seqs.length != ends.length) {
      return -1;
    }
    long[] at = ends.clone();
    int mismatches = 0;
    for (int p = 0; p < at.length; p++) {
      if (seqs[p] != at[p]) {
        mismatches++;
      }
    }
    long index = next;
    while (mismatches > 0 && index > first && next - index < ATTACH_WALK) {
      Unit unit = unit(index - 1);
      int p = unit.partition;
      boolean matched = seqs[p] == at[p];
      at[p] = unit.previous;
      boolean matches = seqs[p] == at[p];
      if (matched && !matches) {
        mismatches++;
      } else if (!matched && matches) {
        mismatches--;
      }
      index--;
    }
    return mismatches == 0 ? index : -1;
  }

  /** Units from {@code index} on, at most {@code max}; null when the ring no longer holds it. */
  synchronized List<Unit> from(long index, int max) {
    if (index < first) {
      return null;
    }
    int count = (int) Math.min(max, next - index);
    List<Unit> units = new ArrayList<>(Math.max(0, count));
    for (int i = 0; i < count; i++) {
      units.add(unit(index + i));
    }
    return units;
  }

  private Unit unit(long index) {
    return ring[(int) (index % CAPACITY)];
  }

  private void setEnd(int p, long end) {
    if (ends[p] < 0 && end >= 0) {
      unknown--;
    } else if (ends[p] >= 0 && end < 0) {
      unknown++;
    }
    ends[p] = end;
  }

  private void add(Unit unit) {
    while (next - first >= CAPACITY || (next > first && bytes + unit.weight > MAX_BYTES)) {
      bytes -= unit(first).weight;
      ring[(int) (first % CAPACITY)] = null;
      first++;
    }
    ring[(int) (next % CAPACITY)] = unit;
    next++;
    bytes += unit.weight;
  }
}
