package io.actorgrid.grid.internal;

import io.actorgrid.grid.Entry;
import io.actorgrid.grid.InvalidRequestException;
import io.actorgrid.grid.Page;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;

/*
 * Pages of a map's listing, merged from every partition's own listing in key order, and the
 * cursor that continues them.
 *
 * Each partition answers at most `limit` entries and a share of the page's value budget, so a page
 * of large values fits the replies in cluster messages and the node's heap. A partition that stopped
 * early bounds the page at its last key, so that the cursor (the page's last key) skips none of its
 * remaining keys; the page also stops at the whole budget of values, though it always has one
 * entry when there are more.
 */
public final class ListPages {
  private static final String CURSOR_VERSION = "1.";

  private ListPages() {}

  /** A merged page: its entries in key order, and whether entries follow it. */
  public record Merged(List<StoredEntry> entries, boolean more) {}

  /**
   * Each partition's share of a page's {@code pageBytes} of values, with room for uneven spread:
   * the replies of all partitions are held at once, and each must fit one cluster message ({@code
   * maxReplyBytes}).
   */
  public static long partitionBytes(long pageBytes, int partitions, long maxReplyBytes) {
    return Math.min(maxReplyBytes, Math.max(64 * 1024, 4 * pageBytes / partitions));
  }

  /**
   * Asks each of the {@code partitions} for its listing with {@code ask}, then merges them (see
   * {@link #merge}) on {@code executor} into a page with the cursor of the next, if any.
   */
  public static CompletionStage<Page> read(
      int partitions,
      IntFunction<CompletionStage<PartitionState.Listing>> ask,
      int limit,
      long pageBytes,
      MapReplies replies,
      Executor executor) {
    List<CompletableFuture<PartitionState.Listing>> listings = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      listings.add(ask.apply(p).toCompletableFuture());
    }
    return CompletableFuture.allOf(listings.toArray(CompletableFuture[]::new))
        .thenApplyAsync(
            ignored -> {
              Merged page =
                  merge(listings.stream().map(CompletableFuture::join).toList(), limit, pageBytes);
              List<Entry> entries = page.entries().stream().map(replies::toEntry).toList();
              return new Page(
                  entries, page.more() ? cursorAfter(entries.get(entries.size() - 1).key()) : null);
            },
            executor);
  }

  /** Merges the partitions' listings into one page; see the class comment. */
  public static Merged merge(List<PartitionState.Listing> listings, int limit, long maxBytes) {
    List<StoredEntry> all = new ArrayList<>();
    boolean more = false;
    String bound = null;
    for (PartitionState.Listing listing : listings) {
      all.addAll(listing.entries());
      if (listing.more()) {
        more = true;
        String last = listing.entries().get(listing.entries().size() - 1).key();
        if (bound == null || last.compareTo(bound) < 0) {
          bound = last;
        }
      }
    }
    all.sort(Comparator.comparing(StoredEntry::key));
    int end = 0;
    long bytes = 0;
    while (end < all.size() && end < limit) {
      StoredEntry e = all.get(end);
      if (bound != null && e.key().compareTo(bound) > 0) {
        break;
      }
      bytes += e.value() == null ? 0 : e.value().length;
      if (bytes > maxBytes && end > 0) {
        break;
      }
      end++;
    }
    if (end < all.size()) {
      return new Merged(all.subList(0, end), true);
    }
    return new Merged(all, more);
  }

  /** The cursor of the page that ends at {@code lastKey}. */
  public static String cursorAfter(String lastKey) {
    return CURSOR_VERSION
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The last key of the page a cursor continues.
   *
   * @throws InvalidRequestException when the cursor is not one {@link #cursorAfter} made
   */
  public static String keyOf(String cursor) {
    try {
      if (!cursor.startsWith(CURSOR_VERSION)) {
        throw new IllegalArgumentException();
      }
      return new String(
          Base64.getUrlDecoder().decode(cursor.substring(CURSOR_VERSION.length())),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(
          "cursor '"
              + cursor
              + "' is not one this API issued; pass the cursor of the previous page");
    }
  }
}
