package io.actorgrid.grid.internal;

import io.actorgrid.grid.internal.PartitionProtocol.Command;
import io.actorgrid.grid.internal.PartitionProtocol.ConfigReply;
import io.actorgrid.grid.internal.PartitionProtocol.Counts;
import io.actorgrid.grid.internal.PartitionProtocol.Get;
import io.actorgrid.grid.internal.PartitionProtocol.GetConfig;
import io.actorgrid.grid.internal.PartitionProtocol.GetCounts;
import io.actorgrid.grid.internal.PartitionProtocol.GetLastEvent;
import io.actorgrid.grid.internal.PartitionProtocol.GetLastSequenceNr;
import io.actorgrid.grid.internal.PartitionProtocol.GetReply;
import io.actorgrid.grid.internal.PartitionProtocol.LastEvent;
import io.actorgrid.grid.internal.PartitionProtocol.LastSequenceNr;
import io.actorgrid.grid.internal.PartitionProtocol.ListEntries;
import io.actorgrid.grid.internal.PartitionProtocol.Ping;
import io.actorgrid.grid.internal.PartitionProtocol.Pong;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/*
 * The requests a partition answers from its last durable state alone, confined to its actor: a
 * record, a listing page, counts, a map's settings, a key's last event, the last sequence number,
 * a ping. The partition answers them the same way while it runs and while it has lost its journal
 * (it then serves its last durable state), so both behaviors take them from here.
 */
final class PartitionReads {
  private final int partition;
  private final Supplier<PartitionState> state;

  /**
   * @param state the partition's last durable state, read when each request is answered
   */
  PartitionReads(int partition, Supplier<PartitionState> state) {
    this.partition = partition;
    this.state = state;
  }

  /** Adds the handlers of every read to {@code builder}. */
  BehaviorBuilder<Command> addTo(BehaviorBuilder<Command> builder) {
    return builder
        .onMessage(Get.class, this::onGet)
        .onMessage(ListEntries.class, this::onList)
        .onMessage(GetCounts.class, this::onCounts)
        .onMessage(GetConfig.class, this::onGetConfig)
        .onMessage(Ping.class, this::onPing)
        .onMessage(GetLastEvent.class, this::onGetLastEvent)
        .onMessage(GetLastSequenceNr.class, this::onGetLastSequenceNr);
  }

  private Behavior<Command> onGet(Get get) {
    get.replyTo()
        .tell(
            new GetReply(
                state.get().get(get.map(), get.key(), System.currentTimeMillis()).orElse(null)));
    return Behaviors.same();
  }

  private Behavior<Command> onList(ListEntries list) {
    list.replyTo()
        .tell(
            state
                .get()
                .list(
                    list.map(),
                    list.prefix(),
                    list.after(),
                    list.limit(),
                    list.withValues(),
                    list.maxBytes(),
                    System.currentTimeMillis()));
    return Behaviors.same();
  }

  private Behavior<Command> onCounts(GetCounts msg) {
    PartitionState s = state.get();
    msg.replyTo().tell(new Counts(s.counts(System.currentTimeMillis()), s.configs()));
    return Behaviors.same();
  }

  private Behavior<Command> onGetConfig(GetConfig msg) {
    msg.replyTo().tell(new ConfigReply(state.get().config(msg.map()).orElse(null)));
    return Behaviors.same();
  }

  private Behavior<Command> onPing(Ping ping) {
    ping.replyTo().tell(new Pong(partition));
    return Behaviors.same();
  }

  private Behavior<Command> onGetLastEvent(GetLastEvent msg) {
    PartitionState s = state.get();
    msg.replyTo().tell(new LastEvent(s.lastEventOf(msg.map(), msg.key()), s.lastVersion()));
    return Behaviors.same();
  }

  private Behavior<Command> onGetLastSequenceNr(GetLastSequenceNr msg) {
    msg.replyTo().tell(new LastSequenceNr(state.get().lastVersion()));
    return Behaviors.same();
  }
}
