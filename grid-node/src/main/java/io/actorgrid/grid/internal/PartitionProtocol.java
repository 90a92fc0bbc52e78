package io.actorgrid.grid.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.actorgrid.serialization.CborSerializable;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages a {@link Partition} answers, and its replies: what other nodes send it, so every one
 * of them crosses the cluster (CBOR). {@code Partition} implements this interface, so the types
 * read as {@code Partition.Get}, {@code Partition.Write}, ... where they are used.
 */
public interface PartitionProtocol {
  /**
   * Everything a partition receives; the entity's own messages are in {@link PartitionInternal}.
   */
  sealed interface Command extends CborSerializable
      permits Get,
          Write,
          GetConfig,
          ListEntries,
          GetCounts,
          GetLastEvent,
          Ping,
          GetLastSequenceNr,
          HandOff,
          PartitionInternal {}

  /** Reads one record; the reply's entry is null when it does not exist. */
  record Get(String map, String key, ActorRef<GetReply> replyTo) implements Command {}

  /**
   * The record, or null when it does not exist; {@code unavailable} when the partition could not
   * read it (it is recovering and cannot hold more requests, or it was handed off while
   * recovering): the node may ask again.
   */
  record GetReply(StoredEntry entry, boolean unavailable) implements CborSerializable {
    public GetReply(StoredEntry entry) {
      this(entry, false);
    }

    static final GetReply UNAVAILABLE = new GetReply(null, true);
  }

  /**
   * Applies operations in order, as one atomic journal write; the reply, one outcome per operation,
   * comes once their events are durable. Operations that only read are answered from the state at
   * once.
   *
   * <p>{@code writeId}: the internal id of this write, the same in every attempt the node makes to
   * deliver it; operation {@code i} has the id {@code writeId + i} (see {@link #idOf}). An
   * operation whose id its partition remembers is answered with its first outcome instead of being
   * applied again (see {@link RecentWrites}). 0: none (the partition's own writes, expiry and
   * retention, which are never sent again). Ids are random 62-bit numbers ({@link #newWriteId}), so
   * that nodes need not agree on them.
   */
  record Write(
      List<WriteOp> ops,
      ActorRef<Outcomes> replyTo,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long writeId)
      implements Command {
    /** A write without an id, which is never sent again. */
    public Write(List<WriteOp> ops, ActorRef<Outcomes> replyTo) {
      this(ops, replyTo, 0);
    }

    /** A fresh write id: at least 2^62, so that no operation's id is 0. */
    public static long newWriteId() {
      return (java.util.concurrent.ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE)
          | (1L << 62);
    }

    /** The internal write id of operation {@code index}; 0 when the write has none. */
    long idOf(int index) {
      return writeId == 0 ? 0 : writeId + index;
    }

    int opCount() {
      return ops.size();
    }

    boolean readOnly() {
      for (WriteOp op : ops) {
        if (!(op instanceof WriteOp.Read)) {
          return false;
        }
      }
      return true;
    }

    /** Whether an operation changes a map's settings. */
    boolean configures() {
      for (WriteOp op : ops) {
        if (op instanceof WriteOp.Configure) {
          return true;
        }
      }
      return false;
    }

    /** Whether an operation may store more data: a put, a patch or an increment. */
    boolean addsData() {
      for (WriteOp op : ops) {
        if (op instanceof WriteOp.Put
            || op instanceof WriteOp.Patch
            || op instanceof WriteOp.Increment) {
          return true;
        }
      }
      return false;
    }

    long bytes() {
      long bytes = 0;
      for (WriteOp op : ops) {
        bytes += op.size();
      }
      return bytes;
    }
  }

  /**
   * One outcome per operation of a Write. {@code sendAgain}: the partition refused the whole write
   * without deciding it (it was recovering and could hold no more, or was handed off while
   * recovering), so nothing was applied and the node may send the write again; its outcomes are
   * UNAVAILABLE.
   */
  record Outcomes(
      List<WriteOutcome> outcomes, @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean sendAgain)
      implements CborSerializable {
    public Outcomes(List<WriteOutcome> outcomes) {
      this(outcomes, false);
    }
  }

  /** The settings of a map whose home is this partition; the reply's config is null without. */
  record GetConfig(String map, ActorRef<ConfigReply> replyTo) implements Command {}

  record ConfigReply(MapConfig config) implements CborSerializable {}

  /**
   * Lists records of one map in key order, with at most {@code maxBytes} of values; see {@link
   * PartitionState#list}.
   */
  record ListEntries(
      String map,
      String prefix,
      String after,
      int limit,
      boolean withValues,
      long maxBytes,
      ActorRef<PartitionState.Listing> replyTo)
      implements Command {}

  /** Entry counts by map. */
  record GetCounts(ActorRef<Counts> replyTo) implements Command {}

  /** Live record counts by map, and the settings of the maps whose home is this partition. */
  record Counts(Map<String, Long> counts, Map<String, MapConfig> configs)
      implements CborSerializable {}

  /**
   * Where the history of a record starts: the sequence number of its last event ({@link
   * PartitionState#lastEventOf}), 0 when it never existed (or is forgotten).
   */
  record GetLastEvent(String map, String key, ActorRef<LastEvent> replyTo) implements Command {}

  /**
   * @param sequenceNr the record's last event, 0 when none
   * @param partitionVersion the partition's last event
   */
  record LastEvent(long sequenceNr, long partitionVersion) implements CborSerializable {}

  /** Answered once the partition has recovered and serves commands. */
  record Ping(ActorRef<Pong> replyTo) implements Command {}

  record Pong(int partition) implements CborSerializable {}

  /**
   * The sequence number of the partition's last event (0: none), for a change feed that starts now.
   */
  record GetLastSequenceNr(ActorRef<LastSequenceNr> replyTo) implements Command {}

  record LastSequenceNr(long sequenceNr) implements CborSerializable {}

  /**
   * Sent by sharding when the partition moves to another node (a rebalance, or this node leaving):
   * the partition finishes the journal write in flight and the ones it has queued, answering each,
   * then stops. Sharding holds new requests meanwhile and sends them to the partition's new home.
   */
  enum HandOff implements Command {
    INSTANCE
  }
}
