package io.actorgrid.grid.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;

/** Derives the Pekko settings that follow from the {@code actorgrid} section. */
public final class NodeConfig {
  private NodeConfig() {}

  public static Config effective(Config config, GridSettings settings) {
    String url = config.getString("actorgrid.journal.h2-url");
    if (url.isEmpty()) {
      url = h2Url(settings);
    }
    return ConfigFactory.parseMap(
            Map.of("pekko-persistence-jdbc.shared-databases.actorgrid.db.url", url))
        .withFallback(config);
  }

  /**
   * The embedded journal under the data directory. WRITE_DELAY=0 writes each commit to the file
   * before the commit returns, so an acknowledged write survives a killed process (H2 does not
   * fsync: it does not survive a power failure). DB_CLOSE_ON_EXIT=FALSE leaves closing to the
   * connection pool at the end of coordinated shutdown, after the last write.
   */
  static String h2Url(GridSettings settings) {
    return "jdbc:h2:file:"
        + settings.dataDir().resolve("journal")
        + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
  }
}
