package io.actorgrid.grid.internal.rocks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import scala.Option;

/*
 * Values of the store. Payloads go through Pekko's serialization extension, so whatever
 * serializer is bound to an event or snapshot class (jackson-cbor for the grid's) writes it, and
 * a value records the serializer id and manifest it needs to be read back.
 *
 * An event:    format byte 1, timestamp (long), writer uuid, adapter manifest (strings: int
 *              length + UTF-8), metadata flag (byte) [+ serialized metadata], serialized payload.
 * A snapshot:  format byte 1, timestamp (long), metadata flag [+ serialized metadata], serialized
 *              snapshot.
 * Serialized:  serializer id (int), manifest (string), then the bytes: to the end of the value
 *              for the payload, after an int length for metadata.
 *
 * Tags of a Tagged payload are dropped: this journal has no events-by-tag query.
 */
final class RocksCodec {
  private static final byte FORMAT = 1;

  private final Serialization serialization;

  RocksCodec(ExtendedActorSystem system) {
    this.serialization = SerializationExtension.get(system);
  }

  /**
   * The stored form of an event.
   *
   * @throws RuntimeException when the payload cannot be serialized (the write is then rejected)
   */
  byte[] event(PersistentRepr repr) {
    Object payload = repr.payload() instanceof Tagged tagged ? tagged.payload() : repr.payload();
    Out out = new Out();
    out.writeByte(FORMAT);
    out.writeLong(repr.timestamp());
    out.string(repr.writerUuid());
    out.string(repr.manifest());
    metadata(out, repr.metadata());
    serialized(out, payload, false);
    return out.bytes();
  }

  PersistentRepr event(String persistenceId, long sequenceNr, byte[] value) {
    ByteBuffer in = open(value);
    long timestamp = in.getLong();
    String writerUuid = string(in);
    String manifest = string(in);
    Object metadata = in.get() == 1 ? deserialize(in, true) : null;
    Object payload = deserialize(in, false);
    PersistentRepr repr =
        PersistentRepr.apply(
                payload,
                sequenceNr,
                persistenceId,
                manifest,
                false,
                ActorRef.noSender(),
                writerUuid)
            .withTimestamp(timestamp);
    return metadata == null ? repr : repr.withMetadata(metadata);
  }

  byte[] snapshot(SnapshotMetadata metadata, Object snapshot) {
    Out out = new Out();
    out.writeByte(FORMAT);
    out.writeLong(metadata.timestamp());
    metadata(out, metadata.metadata());
    serialized(out, snapshot, false);
    return out.bytes();
  }

  SelectedSnapshot snapshot(String persistenceId, long sequenceNr, byte[] value) {
    ByteBuffer in = open(value);
    long timestamp = in.getLong();
    Object metadata = in.get() == 1 ? deserialize(in, true) : null;
    Object snapshot = deserialize(in, false);
    SnapshotMetadata md = new SnapshotMetadata(persistenceId, sequenceNr, timestamp);
    return SelectedSnapshot.create(metadata == null ? md : md.withMetadata(metadata), snapshot);
  }

  /** A stored snapshot's timestamp, without deserializing the snapshot. */
  static long snapshotTimestamp(byte[] value) {
    return open(value).getLong();
  }

  private void metadata(Out out, Option<Object> metadata) {
    if (metadata.isDefined()) {
      out.writeByte(1);
      serialized(out, metadata.get(), true);
    } else {
      out.writeByte(0);
    }
  }

  private void serialized(Out out, Object value, boolean withLength) {
    Serializer serializer = serialization.findSerializerFor(value);
    String manifest = Serializers.manifestFor(serializer, value);
    // serialize() gives serializers the transport information that actor refs inside need.
    byte[] bytes = serialization.serialize(value).get();
    out.writeInt(serializer.identifier());
    out.string(manifest);
    if (withLength) {
      out.writeInt(bytes.length);
    }
    out.write(bytes);
  }

  private Object deserialize(ByteBuffer in, boolean withLength) {
    int serializerId = in.getInt();
    String manifest = string(in);
    byte[] bytes = new byte[withLength ? in.getInt() : in.remaining()];
    in.get(bytes);
    return serialization.deserialize(bytes, serializerId, manifest).get();
  }

  private static ByteBuffer open(byte[] value) {
    ByteBuffer in = ByteBuffer.wrap(value);
    byte format = in.get();
    if (format != FORMAT) {
      throw new IllegalStateException(
          "a stored value has format " + format + "; this version reads format " + FORMAT);
    }
    return in;
  }

  private static String string(ByteBuffer in) {
    byte[] bytes = new byte[in.getInt()];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** A growing byte array written big-endian, as ByteBuffer reads it back. */
  private static final class Out {
    private byte[] bytes = new byte[256];
    private int size;

    void writeByte(int b) {
      room(1);
      bytes[size++] = (byte) b;
    }

    void writeInt(int i) {
      room(4);
      ByteBuffer.wrap(bytes, size, 4).putInt(i);
      size += 4;
    }

    void writeLong(long l) {
      room(8);
      ByteBuffer.wrap(bytes, size, 8).putLong(l);
      size += 8;
    }

    void write(byte[] b) {
      room(b.length);
      System.arraycopy(b, 0, bytes, size, b.length);
      size += b.length;
    }

    void string(String s) {
      byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
      writeInt(b.length);
      write(b);
    }

    byte[] bytes() {
      return java.util.Arrays.copyOf(bytes, size);
    }

    private void room(int n) {
      if (size + n > bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + n));
      }
    }
  }
}
