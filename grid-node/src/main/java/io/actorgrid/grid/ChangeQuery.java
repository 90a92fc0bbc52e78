package io.actorgrid.grid;

/**
 * Where a change feed starts and what it carries.
 *
 * @param after resume strictly after this {@link Change#id()}; null to start at {@code from}
 * @param from where to start when {@code after} is null
 * @param prefix only changes of keys that start with it ("" for all); only for one map's feed
 * @param withValues whether puts, patches and increments carry the stored value and content type
 */
public record ChangeQuery(String after, From from, String prefix, boolean withValues) {

  /** The start of a feed that does not resume from an id. */
  public enum From {
    /** Only changes made after the feed started. */
    NOW,
    /** From the oldest change the journal still holds. */
    BEGINNING
  }

  /** Changes from now on, of every key, without values. */
  public static ChangeQuery fromNow() {
    return new ChangeQuery(null, From.NOW, "", false);
  }

  /** Every change the journal still holds, then the new ones. */
  public static ChangeQuery fromBeginning() {
    return new ChangeQuery(null, From.BEGINNING, "", false);
  }

  /** Changes strictly after the one (or the checkpoint) with this id. */
  public static ChangeQuery after(String id) {
    return new ChangeQuery(id, From.NOW, "", false);
  }

  public ChangeQuery withPrefix(String prefix) {
    return new ChangeQuery(after, from, prefix, withValues);
  }

  public ChangeQuery withValues(boolean withValues) {
    return new ChangeQuery(after, from, prefix, withValues);
  }
}
