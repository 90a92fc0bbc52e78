package io.actorgrid.grid;

/**
 * A conditional write found the record at another version than it required. Nothing was written.
 */
public final class PreconditionFailedException extends GridException {
  private final long currentVersion;

  public PreconditionFailedException(String map, String key, long currentVersion) {
    super(
        currentVersion == 0
            ? "entry '" + key + "' of map '" + map + "' does not exist"
            : "entry '" + key + "' of map '" + map + "' is at version " + currentVersion);
    this.currentVersion = currentVersion;
  }

  /** A precondition on something other than a record (a map's settings). */
  public PreconditionFailedException(String message, long currentVersion) {
    super(message);
    this.currentVersion = currentVersion;
  }

  /** The record's version when the write was decided; 0 when it did not exist. */
  public long currentVersion() {
    return currentVersion;
  }

  @Override
  public int httpStatus() {
    return 412;
  }

  @Override
  public String title() {
    return "Precondition failed";
  }
}
