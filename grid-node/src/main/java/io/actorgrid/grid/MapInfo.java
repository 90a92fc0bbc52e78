package io.actorgrid.grid;

/**
 * A map: how many live records it holds and its settings.
 *
 * @param entries records that exist now (expired ones excluded); counted partition by partition, so
 *     under concurrent writes it is not one point-in-time figure
 * @param settings the map's settings, or null when it has none (node defaults apply)
 * @param settingsVersion version of the settings (0 without), for conditional changes
 */
public record MapInfo(String name, long entries, MapSettings settings, long settingsVersion) {
  /** A map without settings. */
  public MapInfo(String name, long entries) {
    this(name, entries, null, 0);
  }
}
