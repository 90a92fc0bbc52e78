package io.actorgrid.grid.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.actorgrid.grid.internal.WriteOutcome.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/*
 * Events and snapshots are permanent. The golden files under golden/ were written by the first
 * release (v1: EntryPut and EntryDeleted without expiry or idempotency fields, snapshots without
 * settings or idempotency records); every later version must read them, and must read what it
 * writes itself. v2 files are the last forms before internal write ids (events with principal,
 * links and idempotency keys; a snapshot with settings, idempotency records and removals); v3
 * files carry write ids ("wid") and a snapshot's recent writes.
 */
class PartitionEventFormatTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Serialization serialization =
      SerializationExtension.get(Adapter.toClassic(testKit.system()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static Object readGolden(String name, Class<?> type) throws IOException {
    try (InputStream in = PartitionEventFormatTest.class.getResourceAsStream("/golden/" + name)) {
      byte[] bytes = in.readAllBytes();
      // The manifest Jackson's serializer writes is the class name.
      return serialization.deserialize(bytes, serializerId(type), type.getName()).get();
    }
  }

  private static int serializerId(Class<?> type) {
    try {
      return serialization.serializerFor(type).identifier();
    } catch (java.io.NotSerializableException e) {
      throw new AssertionError(type + " has no serializer", e);
    }
  }

  private static Object roundTrip(Object value) {
    var serializer = serialization.findSerializerFor(value);
    byte[] bytes = serializer.toBinary(value);
    return serialization
        .deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, value))
        .get();
  }

  @Test
  void readsTheFirstFormOfEntryPut() throws IOException {
    var put =
        (PartitionEvent.EntryPut) readGolden("v1-EntryPut.cbor", PartitionEvent.EntryPut.class);
    assertEquals("users", put.map());
    assertEquals("alice", put.key());
    assertArrayEquals("{\"name\":\"Alice\"}".getBytes(StandardCharsets.UTF_8), put.value());
    assertEquals("application/json", put.contentType());
    assertEquals(0, put.previousVersion());
    assertEquals(1764000000000L, put.timestamp());
    assertEquals(0, put.expiresAt(), "no expiry");
    assertNull(put.operation());
    assertNull(put.requestId());
    assertEquals(0, put.requestHash());
    assertNull(put.principal(), "who made a first-form write is unknown");
  }

  @Test
  void readsTheFirstFormOfEntryDeleted() throws IOException {
    var deleted =
        (PartitionEvent.EntryDeleted)
            readGolden("v1-EntryDeleted.cbor", PartitionEvent.EntryDeleted.class);
    assertEquals(
        new PartitionEvent.EntryDeleted("users", "alice", 1, 1764000001000L, null, 0), deleted);
  }

  @Test
  void readsTheFirstFormOfASnapshot() throws IOException {
    var state = (PartitionState) readGolden("v1-PartitionState.cbor", PartitionState.class);
    assertEquals(2, state.lastVersion());
    assertEquals(2, state.size());
    StoredEntry bob = state.stored("users", "bob").orElseThrow();
    assertEquals("text/plain", bob.contentType());
    assertEquals(2, bob.version());
    assertEquals(0, bob.expiresAt());
    assertEquals(java.util.Map.of(), state.configs());
    assertEquals(Long.MAX_VALUE, state.nextExpiry());
  }

  @Test
  void everyCurrentEventAndStateRoundTrips() {
    List<PartitionEvent> events =
        List.of(
            new PartitionEvent.EntryPut(
                "m", "k", new byte[] {1, 2}, "application/json", 3, 10, 99, "increment", "req", 42),
            new PartitionEvent.EntryDeleted("m", "k", 4, 11, "req2", 43),
            new PartitionEvent.EntryExpired("m", "k", 5, 12),
            new PartitionEvent.EntryPut(
                "m", "k", new byte[] {3}, "text/plain", 0, 10, 0, null, null, 0, 4),
            new PartitionEvent.MapCleared("m", 13, 7),
            new PartitionEvent.MapCleared("m", 13, 2, List.of("a", "b"), List.of(3L, 9L)),
            new PartitionEvent.EntryPut(
                "m", "k", new byte[] {4}, "text/plain", 6, 17, 0, null, null, 0, 0, "reporting"),
            new PartitionEvent.EntryDeleted("m", "k", 7, 18, null, 0, "reporting"),
            new PartitionEvent.MapCleared("m", 19, 1, List.of("k"), List.of(8L), "admin"),
            new PartitionEvent.MapConfigured("m", 30_000, 1024, 0, 14),
            new PartitionEvent.MapConfigRemoved("m", 15, 16));
    for (PartitionEvent event : events) {
      Object copy = roundTrip(event);
      if (event instanceof PartitionEvent.EntryPut put) {
        var p = (PartitionEvent.EntryPut) copy;
        assertArrayEquals(put.value(), p.value());
        assertEquals(put.expiresAt(), p.expiresAt());
        assertEquals(put.operation(), p.operation());
        assertEquals(put.requestId(), p.requestId());
        assertEquals(put.requestHash(), p.requestHash());
        assertEquals(put.previousEvent(), p.previousEvent());
        assertEquals(put.link(), p.link());
        assertEquals(put.principal(), p.principal());
      } else {
        assertEquals(event, copy);
      }
    }
    PartitionState state = PartitionState.EMPTY;
    long v = 0;
    for (PartitionEvent event :
        List.of(
            new PartitionEvent.EntryPut(
                "m", "a", new byte[] {1}, "text/plain", 0, 10, 5000, null, "r1", 1),
            new PartitionEvent.EntryPut(
                "m", "b", new byte[] {2}, "text/plain", 0, 10, 0, null, null, 0),
            new PartitionEvent.MapConfigured("m", 1000, 10, 0, 10),
            new PartitionEvent.EntryDeleted("m", "b", 2, 11, null, 0))) {
      state = state.apply(event, ++v);
    }
    var copy = (PartitionState) roundTrip(state);
    assertEquals(state.weight(), copy.weight());
    assertEquals(5000, copy.nextExpiry());
    assertEquals(1000, copy.config("m").orElseThrow().defaultTtlMillis());
    assertEquals(1, copy.request("r1").orElseThrow().version());
    assertEquals(WriteOutcome.Status.CREATED, copy.request("r1").orElseThrow().status());
    assertEquals(4, copy.removedAt("m", "b"));
  }

  @Test
  void readsTheFormsBeforeWriteIds() throws IOException {
    var put =
        (PartitionEvent.EntryPut) readGolden("v2-EntryPut.cbor", PartitionEvent.EntryPut.class);
    assertEquals("increment", put.operation());
    assertEquals("r1", put.requestId());
    assertEquals("writer", put.principal());
    assertEquals(1764000600000L, put.expiresAt());
    assertEquals(0, put.writeId(), "no write id before there were any");
    var deleted =
        (PartitionEvent.EntryDeleted)
            readGolden("v2-EntryDeleted.cbor", PartitionEvent.EntryDeleted.class);
    assertEquals(
        new PartitionEvent.EntryDeleted("m", "b", 2, 1764000000003L, "r2", 12, "writer"), deleted);
    var state = (PartitionState) readGolden("v2-PartitionState.cbor", PartitionState.class);
    assertEquals(6, state.lastVersion());
    assertEquals(0, state.recentWriteCount());
    assertEquals(Status.CREATED, state.request("r1").orElseThrow().status());
    assertEquals(Status.PRECONDITION_FAILED, state.request("r3").orElseThrow().status());
    assertEquals(4, state.removedAt("m", "b"));
    assertEquals(86_400_000L, state.config("m").orElseThrow().historyRetentionMillis());
  }

  @Test
  void readsEventsAndSnapshotsWithWriteIds() throws IOException {
    long wid = 0x5a5a5a5a5a5a5a5aL;
    var put =
        (PartitionEvent.EntryPut) readGolden("v3-EntryPut.cbor", PartitionEvent.EntryPut.class);
    assertEquals(wid, put.writeId());
    var deleted =
        (PartitionEvent.EntryDeleted)
            readGolden("v3-EntryDeleted.cbor", PartitionEvent.EntryDeleted.class);
    assertEquals(
        new PartitionEvent.EntryDeleted("m", "b", 2, 1764000000002L, null, 0, null, wid + 2),
        deleted);
    var cleared =
        (PartitionEvent.MapCleared)
            readGolden("v3-MapCleared.cbor", PartitionEvent.MapCleared.class);
    assertEquals(wid + 3, cleared.writeId());
    var state = (PartitionState) readGolden("v3-PartitionState.cbor", PartitionState.class);
    assertEquals(5, state.recentWriteCount());
    WriteOutcome counter = state.recentWrite(wid).orElseThrow();
    assertEquals(Status.CREATED, counter.status());
    assertArrayEquals("1".getBytes(StandardCharsets.US_ASCII), counter.entry().value());
    assertEquals(new WriteOutcome(Status.CREATED, 2), state.recentWrite(wid + 1).orElseThrow());
    assertEquals(new WriteOutcome(Status.DELETED, 3), state.recentWrite(wid + 2).orElseThrow());
    assertEquals(new WriteOutcome(Status.CLEARED, 0), state.recentWrite(wid + 3).orElseThrow());
    assertEquals(new WriteOutcome(Status.CREATED, 5), state.recentWrite(wid + 4).orElseThrow());
    var copy = (PartitionState) roundTrip(state);
    assertEquals(state.weight(), copy.weight());
    assertEquals(5, copy.recentWriteCount());
  }

  @Test
  void eventsOfTheFirstFormLinkToTheirPreviousVersion() throws IOException {
    var put =
        (PartitionEvent.EntryPut) readGolden("v1-EntryPut.cbor", PartitionEvent.EntryPut.class);
    assertEquals(0, put.previousEvent());
    assertEquals(put.previousVersion(), put.link());
    var state = (PartitionState) readGolden("v1-PartitionState.cbor", PartitionState.class);
    assertEquals(0, state.removalCount(), "a first-form snapshot remembers no removals");
  }
}
