package io.actorgrid.grid.internal;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Optional;
import scala.collection.immutable.TreeMap;
import scala.math.Ordering;
import scala.math.Ordering$;

/*
 * The outcomes of the writes a partition applied lately, by their internal write ids, as an
 * immutable value inside PartitionState.
 *
 * Every write a node sends to a partition carries an id per operation (Partition.Write). The
 * events an operation makes carry its id (PartitionEvent#writeId), and applying such an event
 * records here what the operation did. When a node sends a write again - its first attempt was
 * dropped in a hand-off, or did not answer in time - an operation whose id is here is answered
 * with this outcome instead of being applied a second time. An operation of the first attempt
 * that changed nothing left no event and is not here: it is decided again, which is safe because
 * its first decision had no effect.
 *
 * Being made from events, the record moves with the partition: a partition recovered on another
 * node after a hand-off or a crash knows the writes of the partition it replaces (from the
 * snapshot, which holds these outcomes, and the events after it).
 *
 * Kept apart from client idempotency keys (RequestRecord), with its own bounds, so that the ids
 * of every write never push out the clients' keys: an id is forgotten once an event is applied
 * more than `window` after it, and the oldest are forgotten beyond `max` ids. The window must
 * outlast the time a node keeps sending a write again (its request timeout); PartitionJournal
 * applies both bounds after every event, so a replay forgets what the live partition forgot.
 *
 * Each id costs about 160 bytes of heap (two tree entries and the outcome) and about 25 bytes of
 * snapshot (columns of numbers, see Snapshot).
 */
final class RecentWrites {
  private static final Ordering<Long> LONG_ORDER =
      Ordering$.MODULE$.comparatorToOrdering(Comparator.<Long>naturalOrder());

  static final RecentWrites EMPTY =
      new RecentWrites(new TreeMap<>(LONG_ORDER), new TreeMap<>(LONG_ORDER));

  /** Bytes one id is counted for in the state's weight (its share of a snapshot). */
  static final long WEIGHT = 32;

  // What the operation did, as stored in snapshots: fixed codes, never enum ordinals.
  private static final int CREATED = 1;
  private static final int UPDATED = 2;
  private static final int DELETED = 3;
  private static final int CLEARED = 4;
  private static final int COUNTER_CREATED = 5;
  private static final int COUNTER_UPDATED = 6;

  /**
   * @param seq the sequence number of the operation's (first) event: its version
   * @param at epoch milliseconds of that event
   * @param kind what it did (the codes above)
   * @param value the counter after an increment; the records removed by a clear; else 0
   */
  record RecentWrite(long id, long seq, long at, int kind, long value) {
    WriteOutcome outcome() {
      return switch (kind) {
        case CREATED -> new WriteOutcome(WriteOutcome.Status.CREATED, seq);
        case UPDATED -> new WriteOutcome(WriteOutcome.Status.UPDATED, seq);
        case DELETED -> new WriteOutcome(WriteOutcome.Status.DELETED, seq);
        case CLEARED -> new WriteOutcome(WriteOutcome.Status.CLEARED, value);
        default ->
            new WriteOutcome(
                kind == COUNTER_CREATED ? WriteOutcome.Status.CREATED : WriteOutcome.Status.UPDATED,
                seq,
                new StoredEntry(
                    "",
                    Long.toString(value).getBytes(StandardCharsets.US_ASCII),
                    "application/json",
                    seq,
                    at,
                    at,
                    0),
                null);
      };
    }
  }

  private final TreeMap<Long, RecentWrite> byId;
  // Oldest first: the order of forgetting.
  private final TreeMap<Long, RecentWrite> bySeq;

  private RecentWrites(TreeMap<Long, RecentWrite> byId, TreeMap<Long, RecentWrite> bySeq) {
    this.byId = byId;
    this.bySeq = bySeq;
  }

  int size() {
    return byId.size();
  }

  /** What the operation with this id did, when it is remembered. */
  Optional<WriteOutcome> outcome(long id) {
    var recent = byId.get(id);
    return recent.isEmpty() ? Optional.empty() : Optional.of(recent.get().outcome());
  }

  /** Remembers what the event at {@code seq} did for its operation ({@code event.writeId()}). */
  RecentWrites record(PartitionEvent event, long seq) {
    long id = event.writeId();
    var earlier = byId.get(id);
    if (earlier.isDefined()) {
      // A clear of many records writes several events: the outcome counts them all.
      RecentWrite first = earlier.get();
      if (event instanceof PartitionEvent.MapCleared cleared && first.kind() == CLEARED) {
        return with(
            new RecentWrite(
                id, first.seq(), first.at(), CLEARED, first.value() + cleared.removed()));
      }
      return this;
    }
    RecentWrite recent;
    if (event instanceof PartitionEvent.EntryPut put) {
      boolean counter = PartitionEvent.EntryPut.INCREMENT.equals(put.operation());
      boolean created = put.previousVersion() == 0;
      int kind =
          counter ? (created ? COUNTER_CREATED : COUNTER_UPDATED) : (created ? CREATED : UPDATED);
      long value =
          counter ? Long.parseLong(new String(put.value(), StandardCharsets.US_ASCII).trim()) : 0;
      recent = new RecentWrite(id, seq, put.timestamp(), kind, value);
    } else if (event instanceof PartitionEvent.MapCleared cleared) {
      recent = new RecentWrite(id, seq, cleared.timestamp(), CLEARED, cleared.removed());
    } else if (event instanceof PartitionEvent.MapConfigured configured) {
      recent =
          new RecentWrite(
              id,
              seq,
              configured.timestamp(),
              configured.previousVersion() == 0 ? CREATED : UPDATED,
              0);
    } else {
      // A deletion of a record or of a map's settings.
      recent = new RecentWrite(id, seq, event.timestamp(), DELETED, 0);
    }
    return with(recent);
  }

  private RecentWrites with(RecentWrite recent) {
    return new RecentWrites(byId.updated(recent.id(), recent), bySeq.updated(recent.seq(), recent));
  }

  /**
   * Forgets the ids recorded before {@code oldestAt} (epoch milliseconds) and all but {@code max}.
   */
  RecentWrites forget(long oldestAt, int max) {
    var ids = byId;
    var seqs = bySeq;
    while (!seqs.isEmpty()) {
      RecentWrite oldest = seqs.head()._2();
      if (oldest.at() >= oldestAt && seqs.size() <= max) {
        break;
      }
      seqs = seqs.tail();
      ids = ids.removed(oldest.id());
    }
    return seqs == bySeq ? this : new RecentWrites(ids, seqs);
  }

  /**
   * Snapshot form: one column per field, oldest first, so that an id costs a few bytes of CBOR
   * numbers rather than a map with field names.
   */
  record Snapshot(long[] ids, long[] seqs, long[] ats, int[] kinds, long[] values) {}

  /** Null when there is nothing to remember (older snapshots have no such field either). */
  Snapshot toSnapshot() {
    int n = bySeq.size();
    if (n == 0) {
      return null;
    }
    long[] ids = new long[n];
    long[] seqs = new long[n];
    long[] ats = new long[n];
    int[] kinds = new int[n];
    long[] values = new long[n];
    var it = bySeq.valuesIterator();
    for (int i = 0; it.hasNext(); i++) {
      RecentWrite r = it.next();
      ids[i] = r.id();
      seqs[i] = r.seq();
      ats[i] = r.at();
      kinds[i] = r.kind();
      values[i] = r.value();
    }
    return new Snapshot(ids, seqs, ats, kinds, values);
  }

  static RecentWrites fromSnapshot(Snapshot snapshot) {
    if (snapshot == null || snapshot.ids() == null) {
      return EMPTY;
    }
    RecentWrites out = EMPTY;
    for (int i = 0; i < snapshot.ids().length; i++) {
      out =
          out.with(
              new RecentWrite(
                  snapshot.ids()[i],
                  snapshot.seqs()[i],
                  snapshot.ats()[i],
                  snapshot.kinds()[i],
                  snapshot.values()[i]));
    }
    return out;
  }
}
