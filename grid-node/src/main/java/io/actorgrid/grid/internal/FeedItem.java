package io.actorgrid.grid.internal;

import io.actorgrid.grid.Change;
import java.util.function.Function;

/**
 * A change as this node's feeds hand it out. Feeds that follow the node's {@link ChangeHub} live
 * share one item per change and position, so what a consumer makes of a change (the HTTP layer's
 * bytes) is made once for all of them ({@link #rendered}) instead of once per subscriber.
 */
public final class FeedItem {
  private final Change change;
  // Written at most once each (a race makes the same value twice, and one wins).
  private volatile Object slot0;
  private volatile Object slot1;

  FeedItem(Change change) {
    this.change = change;
  }

  public Change change() {
    return change;
  }

  /**
   * What {@code render} makes of this change, made on the first call for {@code slot} (0 or 1) and
   * remembered: a consumer gives each rendering of its own a slot, and always the same function.
   */
  @SuppressWarnings("unchecked") // a slot only ever holds what its one function made
  public <T> T rendered(int slot, Function<Change, T> render) {
    Object made = slot == 0 ? slot0 : slot1;
    if (made == null) {
      made = render.apply(change);
      if (slot == 0) {
        slot0 = made;
      } else if (slot == 1) {
        slot1 = made;
      } else {
        throw new IllegalArgumentException("slot " + slot);
      }
    }
    return (T) made;
  }
}
