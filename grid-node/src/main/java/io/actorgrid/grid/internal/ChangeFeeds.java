package io.actorgrid.grid.internal;

import io.actorgrid.grid.Change;
import io.actorgrid.grid.ChangeQuery;
import io.actorgrid.grid.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.JavaFlowSupport;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Opens change feeds for the embedded API: checks the query, resolves where the feed starts and
 * hands out a {@link Flow.Publisher} that runs one {@link ChangeFeed} per subscriber on this node's
 * {@link ChangeHub}.
 */
public final class ChangeFeeds {
  private final ActorSystem<?> system;
  private final GridSettings settings;
  private final PartitionRequests requests;
  // Guarded by this: the round of questions for feeds from now in flight.
  private CompletableFuture<long[]> asking;

  public ChangeFeeds(ActorSystem<?> system, GridSettings settings, PartitionRequests requests) {
    this.system = system;
    this.settings = settings;
    this.requests = requests;
  }

  /**
   * A feed of the changes of {@code map} (null: every map) whose keys start with the query's
   * prefix. Each subscriber gets a feed of its own from the query's start.
   *
   * @throws InvalidRequestException when the query's id or prefix is not valid
   */
  public Flow.Publisher<Change> open(String map, ChangeQuery query) {
    String prefix = query.prefix() == null ? "" : query.prefix();
    if (map == null && !prefix.isEmpty()) {
      throw new InvalidRequestException(
          "a prefix narrows the feed of one map; ask that map's feed for it");
    }
    if (prefix.getBytes(StandardCharsets.UTF_8).length > settings.maxKeyBytes()) {
      throw new InvalidRequestException(
          "prefix must be at most " + settings.maxKeyBytes() + " bytes of UTF-8");
    }
    ChangePosition resume =
        query.after() != null ? ChangePosition.decode(query.after(), settings.partitions()) : null;
    if (resume == null && query.from() == null) {
      throw new InvalidRequestException(
          "the query names neither an id to resume after nor a start");
    }
    boolean fromBeginning = resume == null && query.from() == ChangeQuery.From.BEGINNING;
    Supplier<CompletionStage<long[]>> start;
    if (resume != null) {
      long[] seqs = new long[resume.partitions()];
      for (int p = 0; p < seqs.length; p++) {
        seqs[p] = resume.seq(p);
      }
      start = () -> CompletableFuture.completedFuture(seqs);
    } else if (fromBeginning) {
      start = () -> CompletableFuture.completedFuture(new long[settings.partitions()]);
    } else {
      start = this::lastSequenceNrs;
    }
    Changes.Filter filter = new Changes.Filter(map, prefix);
    return new FeedPublisher(
        () -> {
          ChangeFeed feed =
              new ChangeFeed(
                  ChangeHub.get(system),
                  settings,
                  system.executionContext(),
                  filter,
                  query.withValues(),
                  start,
                  fromBeginning,
                  resume != null);
          if (resume != null) {
            for (int p = 0; p < resume.partitions(); p++) {
              if (resume.skip(p) > 0) {
                feed.inside(p, resume.skip(p));
              }
            }
          }
          return feed;
        });
  }

  /**
   * The publisher of a feed. Each subscriber runs a feed of its own. The node's HTTP routes take
   * the feed as a stream instead ({@link #startedInBatches()}), which saves a hand-over per change.
   */
  public final class FeedPublisher implements Flow.Publisher<Change> {
    private final Supplier<ChangeFeed> feeds;

    private FeedPublisher(Supplier<ChangeFeed> feeds) {
      this.feeds = feeds;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Change> subscriber) {
      @SuppressWarnings("unchecked") // a subscriber of a supertype takes Changes as well
      Flow.Subscriber<Change> changes = (Flow.Subscriber<Change>) subscriber;
      feeds.get().source().runWith(JavaFlowSupport.Sink.fromSubscriber(changes), system);
    }

    /**
     * A feed whose start is resolved and checked: the stage fails as the publisher's subscriber
     * would fail before its first item (ChangesGoneException, GridUnavailableException), else gives
     * the feed's stream in the batches the feed finds them (none empty), starting with the
     * checkpoint of that start.
     */
    public CompletionStage<Source<List<FeedItem>, NotUsed>> startedInBatches() {
      ChangeFeed feed = feeds.get();
      return feed.prestart().thenApply(ignored -> feed.batches());
    }
  }

  /**
   * Every partition's last sequence number now. Feeds that start from now at the same time share
   * one round of questions: a hundred clients reconnecting at once would otherwise ask every
   * partition a hundred times (and time out on a busy node).
   */
  private CompletionStage<long[]> lastSequenceNrs() {
    synchronized (this) {
      if (asking == null || asking.isDone()) {
        asking = askLastSequenceNrs();
      }
      return asking.thenApply(long[]::clone);
    }
  }

  private CompletableFuture<long[]> askLastSequenceNrs() {
    List<CompletableFuture<Long>> replies = new ArrayList<>(settings.partitions());
    for (int p = 0; p < settings.partitions(); p++) {
      replies.add(
          requests
              .askToRead(
                  p,
                  Partition.GetLastSequenceNr::new,
                  (Function<Partition.LastSequenceNr, Long>) Partition.LastSequenceNr::sequenceNr)
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
        .thenApplyAsync(
            ignored -> {
              long[] seqs = new long[replies.size()];
              for (int p = 0; p < seqs.length; p++) {
                seqs[p] = replies.get(p).join();
              }
              return seqs;
            },
            system.executionContext());
  }
}
