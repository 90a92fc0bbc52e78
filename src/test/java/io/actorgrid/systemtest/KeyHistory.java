package io.actorgrid.systemtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the clients know about one key: the last write the node acknowledged, and the writes whose
 * outcome they never learned.
 *
 * <p>A write answered with 503, or cut off by a connection error, is unresolved: it may have been
 * applied, or may still be applied at any moment until the node process that received it dies. A
 * 503 only says the node stopped waiting; the write can still sit in a partition's mailbox and land
 * after a later write of the same key was acknowledged. So an acknowledgement does not settle
 * earlier unresolved writes; only the death of the node does, and {@link #checkAfterRestart} then
 * compares what the restarted node holds with this history.
 *
 * <p>One writer thread owns a key at a time and the test reads the history only after joining the
 * writers ({@link Thread#join} and {@link Thread#start} order the accesses), so there is no lock.
 */
final class KeyHistory {

  private final String key;
  private long acknowledgedVersion; // 0: no write of this key was ever acknowledged
  private String acknowledgedValue;
  private final List<String> unresolved = new ArrayList<>();

  KeyHistory(String key) {
    this.key = key;
  }

  String key() {
    return key;
  }

  long acknowledgedVersion() {
    return acknowledgedVersion;
  }

  /** Records a write of {@code value} whose outcome is unknown. */
  void unresolved(String value) {
    unresolved.add(value);
  }

  /**
   * Records that the node acknowledged {@code value} as {@code version}. Returns false if that
   * version does not exceed the previous acknowledged one: versions went backwards, which means the
   * node forgot a change it had acknowledged.
   */
  boolean acknowledged(String value, long version) {
    boolean increased = version > acknowledgedVersion;
    acknowledgedVersion = version;
    acknowledgedValue = value;
    return increased;
  }

  /**
   * Checks what a restarted node returned for this key ({@code status}, the ETag {@code version},
   * {@code body}) against the history, and describes the violation if there is one. Otherwise the
   * observed state becomes the acknowledged baseline for the next cycle: the restarted node
   * recovered it from its journal and served it, so losing it later would also be a loss. The
   * unresolved writes are cleared either way, as the process that could apply them is gone.
   */
  Optional<String> checkAfterRestart(int status, OptionalLong version, String body) {
    Optional<String> violation = violation(status, version, body);
    if (violation.isEmpty() && status == 200) {
      acknowledgedVersion = version.getAsLong();
      acknowledgedValue = body;
    }
    unresolved.clear();
    return violation;
  }

  /**
   * Checks what a read of this key returned ({@code status}, the ETag {@code version}, {@code
   * body}) against the history, without changing it, and describes the violation if there is one: a
   * read that follows an acknowledgement must see the acknowledged write or a later one, from
   * whichever node it is served. For reads while the writer that owns the key is between requests,
   * and for the final check of a cluster whose nodes keep running. The caller handles 503s and
   * connection errors, which say nothing about the data.
   */
  Optional<String> checkRead(int status, OptionalLong version, String body) {
    return violation(status, version, body);
  }

  private Optional<String> violation(int status, OptionalLong version, String body) {
    String acknowledged =
        acknowledgedVersion == 0
            ? "nothing acknowledged"
            : "acknowledged v" + acknowledgedVersion + " " + acknowledgedValue;
    if (status == 404) {
      return acknowledgedVersion == 0
          ? Optional.empty()
          : Optional.of(key + ": " + acknowledged + " is lost, the key is absent");
    }
    if (status != 200) {
      return Optional.of(key + ": cannot read it, status " + status + " " + body);
    }
    if (version.isEmpty()) {
      return Optional.of(key + ": 200 without a strong ETag");
    }
    long found = version.getAsLong();
    if (found < acknowledgedVersion) {
      return Optional.of(key + ": " + acknowledged + " is lost, found v" + found + " " + body);
    }
    if (found == acknowledgedVersion) {
      return body.equals(acknowledgedValue)
          ? Optional.empty()
          : Optional.of(key + ": " + acknowledged + ", but v" + found + " holds " + body);
    }
    if (!unresolved.contains(body)) {
      return Optional.of(
          key
              + ": found v"
              + found
              + " "
              + body
              + ", which is no unacknowledged write (since the last restart); "
              + acknowledged);
    }
    return Optional.empty();
  }
}
