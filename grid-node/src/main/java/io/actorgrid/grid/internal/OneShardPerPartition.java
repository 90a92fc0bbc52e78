package io.actorgrid.grid.internal;

import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/** Partitions' sharding: entity id = shard id = partition number. */
final class OneShardPerPartition
    extends ShardingMessageExtractor<ShardingEnvelope<Partition.Command>, Partition.Command> {
  @Override
  public String entityId(ShardingEnvelope<Partition.Command> envelope) {
    return envelope.entityId();
  }

  @Override
  public String shardId(String entityId) {
    return entityId;
  }

  @Override
  public Partition.Command unwrapMessage(ShardingEnvelope<Partition.Command> envelope) {
    return envelope.message();
  }
}
