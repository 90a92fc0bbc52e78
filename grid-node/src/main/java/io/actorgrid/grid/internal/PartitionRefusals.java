package io.actorgrid.grid.internal;

import io.actorgrid.grid.internal.PartitionProtocol.Command;
import io.actorgrid.grid.internal.PartitionProtocol.Get;
import io.actorgrid.grid.internal.PartitionProtocol.GetReply;
import io.actorgrid.grid.internal.PartitionProtocol.Outcomes;
import io.actorgrid.grid.internal.PartitionProtocol.Write;
import java.util.Collections;

/** How a {@link Partition} answers the requests it does not take, each counted by its cause. */
final class PartitionRefusals {
  private final GridMetrics metrics;

  PartitionRefusals(GridMetrics metrics) {
    this.metrics = metrics;
  }

  /** Answers a request at once as unavailable; false for messages that have no such answer. */
  boolean unavailable(Command msg, GridMetrics.Unavailable cause) {
    if (msg instanceof Write write) {
      metrics.unavailable(cause);
      // Refused while recovering or paused, it was never decided: its node may send it again.
      write
          .replyTo()
          .tell(
              WriteQueue.unavailable(
                  write,
                  cause == GridMetrics.Unavailable.RECOVERING
                      || cause == GridMetrics.Unavailable.PAUSED));
      return true;
    }
    if (msg instanceof Get get) {
      metrics.unavailable(cause);
      get.replyTo().tell(GetReply.UNAVAILABLE);
      return true;
    }
    return false;
  }

  /**
   * Answers a write that adds data while the node's memory guard refuses such writes (507). The
   * operations of one Write go to the journal together, so they are refused together.
   */
  void insufficientStorage(Write write, String reason) {
    WriteOutcome refused =
        WriteOutcome.failed(
            WriteOutcome.Status.INSUFFICIENT_STORAGE,
            0,
            "the node that holds this partition accepts no writes that add data now: " + reason);
    write.replyTo().tell(new Outcomes(Collections.nCopies(write.opCount(), refused)));
  }
}
