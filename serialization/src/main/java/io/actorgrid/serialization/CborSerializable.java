package io.actorgrid.serialization;

/**
 * Marker for every message, event and snapshot that crosses a node boundary or goes to the journal.
 * It is bound to Pekko's {@code jackson-cbor} serializer in this module's {@code reference.conf};
 * nothing else (not {@code Object}, not {@code java.io.Serializable}) is bound.
 *
 * <p>Types that implement it are permanent once they reach a journal: renaming a class or a field,
 * or adding a mandatory field, needs a migration registered in {@code reference.conf} and a test
 * that reads the old form.
 */
public interface CborSerializable {}
