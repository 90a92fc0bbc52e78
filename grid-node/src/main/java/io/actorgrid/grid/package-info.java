/**
 * The embedded API of an ActorGrid node. Start with {@link io.actorgrid.grid.Grid}: it starts a
 * node in this JVM and hands out {@link io.actorgrid.grid.GridMap}s, whose operations have exactly
 * the semantics of the HTTP API. Everything under {@code internal} may change without notice.
 */
package io.actorgrid.grid;
