package io.actorgrid.grid;

/**
 * A write carried an idempotency key that the partition remembers from a different request. Nothing
 * was written; send each distinct request with its own key.
 */
public final class IdempotencyKeyReusedException extends GridException {
  public IdempotencyKeyReusedException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 422;
  }

  @Override
  public String title() {
    return "Idempotency key reused";
  }
}
