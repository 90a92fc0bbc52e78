package io.actorgrid.grid;

/**
 * The node refuses writes that would add data because its heap is nearly full with the records it
 * holds (see {@code actorgrid.memory} in reference.conf): the records must stay restartable with
 * the heap that accepted them. Nothing was written. Reads, deletes, clears and map drops go on;
 * deleting records (or a larger heap, or more nodes) makes room again. HTTP answers 507.
 */
public final class InsufficientStorageException extends GridException {
  public InsufficientStorageException(String message) {
    super(message);
  }

  @Override
  public int httpStatus() {
    return 507;
  }

  @Override
  public String title() {
    return "Insufficient storage";
  }
}
