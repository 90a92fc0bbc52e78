/**
 * Serialization of ActorGrid's cluster messages, journal events and snapshots.
 *
 * <p>Start with {@link io.actorgrid.serialization.CborSerializable}: implement it and the type is
 * written as Jackson CBOR. The binding and Jackson settings live in this module's {@code
 * reference.conf}.
 */
package io.actorgrid.serialization;
