package io.actorgrid.grid.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeConfigTest {

  private static Config effective(int clusterPort, String seedNodes) {
    Config config =
        ConfigFactory.parseMap(
                Map.of(
                    "actorgrid.cluster.port",
                    clusterPort,
                    "actorgrid.cluster.seed-nodes",
                    seedNodes,
                    "actorgrid.journal.type",
                    "postgres",
                    "actorgrid.journal.jdbc.url",
                    "jdbc:postgresql://127.0.0.1:5432/grid"))
            .withFallback(ConfigFactory.load())
            .resolve();
    return NodeConfig.effective(config, GridSettings.from(config));
  }

  private static Duration seedNodeTimeout(Config config) {
    return config.getDuration("pekko.cluster.seed-node-timeout");
  }

  @Test
  void onlyTheFirstOfSeveralSeedsWaitsLongerBeforeItFormsANewCluster() {
    String seeds = "127.0.0.1:2552,127.0.0.1:2553";
    assertEquals(Duration.ofSeconds(30), seedNodeTimeout(effective(2552, seeds)));
    // The other nodes keep Pekko's 5 s, which is also how often they retry their join.
    assertEquals(Duration.ofSeconds(5), seedNodeTimeout(effective(2553, seeds)));
    assertEquals(Duration.ofSeconds(5), seedNodeTimeout(effective(2554, seeds)));
    // A single seed that is this node forms the cluster at once: there is nobody to wait for.
    assertEquals(Duration.ofSeconds(5), seedNodeTimeout(effective(2552, "127.0.0.1:2552")));
  }

  @Test
  void partitionsOfADownedNodeStartElsewhereSoonerWhereTheJournalFencesStaleWriters() {
    Config postgres = effective(2552, "127.0.0.1:2552");
    assertEquals(Duration.ofSeconds(2), postgres.getDuration("pekko.cluster.down-removal-margin"));
    Config cassandraConfig =
        ConfigFactory.parseMap(Map.of("actorgrid.journal.type", "cassandra"))
            .withFallback(ConfigFactory.load())
            .resolve();
    Config cassandra = NodeConfig.effective(cassandraConfig, GridSettings.from(cassandraConfig));
    // No unique key fences a stale writer on Cassandra: the margin stays at stable-after, and
    // at least 4 s (the shipped stable-after is 3 s).
    assertEquals(
        Duration.ofSeconds(3),
        cassandra.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
    assertEquals(Duration.ofSeconds(4), cassandra.getDuration("pekko.cluster.down-removal-margin"));
    // An operator who raises stable-after (7 s here, not a default) gets that margin, not 4 s.
    Config longerConfig =
        ConfigFactory.parseMap(
                Map.of(
                    "actorgrid.journal.type",
                    "cassandra",
                    "pekko.cluster.split-brain-resolver.stable-after",
                    "7s"))
            .withFallback(ConfigFactory.load())
            .resolve();
    Config longer = NodeConfig.effective(longerConfig, GridSettings.from(longerConfig));
    assertEquals(Duration.ofSeconds(7), longer.getDuration("pekko.cluster.down-removal-margin"));
  }

  private static Config rocksdb(String durability) {
    Config config =
        ConfigFactory.parseMap(
                Map.of(
                    "actorgrid.journal.type",
                    "rocksdb",
                    "actorgrid.data-dir",
                    "/var/lib/grid",
                    "actorgrid.journal.rocksdb.durability",
                    durability))
            .withFallback(ConfigFactory.load())
            .resolve();
    return NodeConfig.effective(config, GridSettings.from(config));
  }

  @Test
  void rocksdbSelectsItsPluginsAndStoresUnderTheDataDirectory() {
    Config config = rocksdb("fsync");
    assertEquals("actorgrid-rocksdb.journal", config.getString("pekko.persistence.journal.plugin"));
    assertEquals(
        "actorgrid-rocksdb.snapshot-store",
        config.getString("pekko.persistence.snapshot-store.plugin"));
    assertEquals("actorgrid-rocksdb.query", GridSettings.Journal.ROCKSDB.readJournalPluginId());
    var rocks = io.actorgrid.grid.internal.rocks.RocksSettings.from(config);
    assertEquals(java.nio.file.Path.of("/var/lib/grid/rocksdb"), rocks.dir());
    assertEquals(
        io.actorgrid.grid.internal.rocks.RocksSettings.Durability.FSYNC, rocks.durability());
    assertEquals(
        io.actorgrid.grid.internal.rocks.RocksSettings.Durability.PROCESS,
        io.actorgrid.grid.internal.rocks.RocksSettings.from(rocksdb("process")).durability());
  }

  @Test
  void anUnknownRocksdbDurabilityFailsNamingTheSetting() {
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> rocksdb("sometimes"));
    org.junit.jupiter.api.Assertions.assertTrue(
        e.getMessage().contains("GRID_ROCKSDB_DURABILITY"), e.getMessage());
  }

  @Test
  void memberTlsSwitchesArteryToMutualTlsFromPemFilesAndRefusesAPartialSetting(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Map<String, Object> files = new java.util.HashMap<>();
    for (String name : java.util.List.of("cert-file", "key-file", "ca-file")) {
      java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve(name), "pem");
      files.put("actorgrid.cluster.tls." + name, file.toString());
    }
    Config tls = ConfigFactory.parseMap(files).withFallback(ConfigFactory.load()).resolve();
    Config effective = NodeConfig.effective(tls, GridSettings.from(tls));
    assertEquals("tls-tcp", effective.getString("pekko.remote.artery.transport"));
    assertEquals(
        "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider",
        effective.getString("pekko.remote.artery.ssl.ssl-engine-provider"));
    assertEquals(
        dir.resolve("ca-file").toString(),
        effective.getString("pekko.remote.artery.ssl.rotating-keys-engine.ca-cert-file"));

    Config plain = ConfigFactory.load();
    assertEquals(
        "tcp",
        NodeConfig.effective(plain, GridSettings.from(plain))
            .getString("pekko.remote.artery.transport"));

    files.remove("actorgrid.cluster.tls.ca-file");
    Config partial = ConfigFactory.parseMap(files).withFallback(ConfigFactory.load()).resolve();
    IllegalArgumentException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> NodeConfig.effective(partial, GridSettings.from(partial)));
    org.junit.jupiter.api.Assertions.assertTrue(
        refused.getMessage().contains("GRID_CLUSTER_TLS_CA_FILE"), refused.getMessage());
  }
}
