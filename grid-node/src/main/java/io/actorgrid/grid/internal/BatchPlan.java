package io.actorgrid.grid.internal;

import io.actorgrid.grid.BatchResult;
import io.actorgrid.grid.BatchTooLargeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.ToIntFunction;

/**
 * How a batch goes to the partitions: its operations grouped by the partition of their key, in the
 * batch's order within each partition. Each partition's share crosses the cluster as one message
 * and is written as one atomic journal write, so it must fit {@code
 * actorgrid.limits.max-batch-partition-bytes}. A partition that fails fails only its own items.
 */
public final class BatchPlan {
  private BatchPlan() {}

  /**
   * The positions of the operations by partition.
   *
   * @throws BatchTooLargeException when one partition's share of several operations exceeds {@code
   *     budget} bytes
   */
  public static Map<Integer, List<Integer>> byPartition(
      List<? extends WriteOp> ops, ToIntFunction<String> partitionOfKey, long budget) {
    Map<Integer, List<Integer>> byPartition = new LinkedHashMap<>();
    for (int i = 0; i < ops.size(); i++) {
      byPartition
          .computeIfAbsent(partitionOfKey.applyAsInt(ops.get(i).key()), p -> new ArrayList<>())
          .add(i);
    }
    byPartition.forEach(
        (partition, indexes) -> {
          long bytes = indexes.stream().mapToLong(i -> ops.get(i).size()).sum();
          if (indexes.size() > 1 && bytes > budget) {
            throw new BatchTooLargeException(
                "the items of this batch whose keys fall in partition "
                    + partition
                    + " have "
                    + bytes
                    + " bytes; one partition's share of a batch may have at most "
                    + budget
                    + " (actorgrid.limits.max-batch-partition-bytes). Split the batch.");
          }
        });
    return byPartition;
  }

  /**
   * Sends each partition its share of {@code ops} (one operation per item of {@code keys}) with
   * {@code send}, and completes on {@code executor} with one result per item, in order.
   *
   * @throws BatchTooLargeException as {@link #byPartition}
   */
  public static CompletionStage<List<BatchResult>> run(
      List<String> keys,
      List<WriteOp> ops,
      ToIntFunction<String> partitionOfKey,
      long budget,
      BiFunction<Integer, List<WriteOp>, CompletionStage<List<WriteOutcome>>> send,
      MapReplies replies,
      Executor executor) {
    Map<Integer, List<Integer>> byPartition = byPartition(ops, partitionOfKey, budget);
    BatchResult[] results = new BatchResult[keys.size()];
    List<CompletableFuture<Void>> done = new ArrayList<>(byPartition.size());
    byPartition.forEach(
        (partition, indexes) -> {
          List<WriteOp> group = indexes.stream().map(ops::get).toList();
          done.add(
              send.apply(partition, group)
                  .handle(
                      (outcomes, error) -> {
                        for (int j = 0; j < indexes.size(); j++) {
                          int i = indexes.get(j);
                          results[i] =
                              error != null
                                  ? MapReplies.failedItem(keys.get(i), error)
                                  : replies.batchResult(keys.get(i), outcomes.get(j));
                        }
                        return (Void) null;
                      })
                  .toCompletableFuture());
        });
    return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
        .thenApplyAsync(ignored -> List.of(results), executor);
  }
}
