package io.actorgrid.grid.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.internal.rocks.RocksSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Derives the Pekko settings that follow from the {@code actorgrid} section: the cluster's
 * addresses and member TLS, and the journal plugin and its connection, chosen by {@code
 * actorgrid.journal.type}. The read journal of each type is {@link
 * GridSettings.Journal#readJournalPluginId()}.
 */
public final class NodeConfig {

  /*
   * The margin on Cassandra when stable-after is shorter: the 4 s the Cassandra fault runs passed
   * with (docs/reliability.md, "Faults by journal"), kept when stable-after went from 4 s to 3 s,
   * so that a stale copy of a partition has as long as before to stop.
   */
  static final long CASSANDRA_MIN_MARGIN_MILLIS = 4_000;

  private NodeConfig() {}

  public static Config effective(Config config, GridSettings settings) {
    Map<String, Object> overrides = new HashMap<>();
    // Set here rather than by substitution in reference.conf: a config that overrides
    // actorgrid.* on top of an already resolved ConfigFactory.load() would not reach them.
    overrides.put("pekko.remote.artery.canonical.hostname", settings.clusterHost());
    overrides.put("pekko.remote.artery.canonical.port", settings.clusterPort());
    String managementHost = config.getString("actorgrid.management.host");
    overrides.put(
        "pekko.management.http.hostname",
        managementHost.isEmpty() ? settings.clusterHost() : managementHost);
    overrides.put("pekko.management.http.port", config.getInt("actorgrid.management.port"));
    String bootstrap = "pekko.management.cluster.bootstrap.contact-point-discovery.";
    overrides.put(
        bootstrap + "service-name", config.getString("actorgrid.cluster.bootstrap.service-name"));
    overrides.put(
        bootstrap + "required-contact-point-nr",
        config.getInt("actorgrid.cluster.bootstrap.required-contact-points"));
    // Seed nodes go to Pekko's own setting, so that its seed-node process joins (and retries).
    overrides.put(
        "pekko.cluster.seed-nodes",
        settings.seedNodes().stream()
            .map(hostPort -> "pekko://" + GridSettings.SYSTEM_NAME + "@" + hostPort)
            .toList());
    // Pekko's one seed-node timeout is both how long the first seed waits before it forms a new
    // cluster and how often the other nodes retry their join; only the first wait is lengthened.
    if (settings.firstOfSeveralSeeds()) {
      overrides.put(
          "pekko.cluster.seed-node-timeout", settings.firstSeedNodeTimeout().toMillis() + "ms");
    }
    memberTls(config).forEach(overrides::put);
    String db = "pekko-persistence-jdbc.shared-databases.actorgrid.";
    switch (settings.journal()) {
      case H2 -> {
        String url = config.getString("actorgrid.journal.h2-url");
        overrides.put(db + "db.url", url.isEmpty() ? h2Url(settings) : url);
        overrides.put(
            "jdbc-journal.parallelism", config.getInt("actorgrid.journal.h2-write-parallelism"));
      }
      case POSTGRES -> {
        String url = config.getString("actorgrid.journal.jdbc.url");
        if (url.isEmpty()) {
          throw new IllegalArgumentException(
              "actorgrid.journal.type is postgres but actorgrid.journal.jdbc.url (GRID_JDBC_URL)"
                  + " is empty; set it to e.g. jdbc:postgresql://host:5432/actorgrid");
        }
        int connections = config.getInt("actorgrid.journal.jdbc.max-connections");
        overrides.put(db + "profile", "slick.jdbc.PostgresProfile$");
        overrides.put(db + "db.driver", "org.postgresql.Driver");
        overrides.put(db + "db.url", url);
        overrides.put(db + "db.user", config.getString("actorgrid.journal.jdbc.user"));
        overrides.put(db + "db.password", config.getString("actorgrid.journal.jdbc.password"));
        overrides.put(db + "db.numThreads", connections);
        overrides.put(db + "db.maxConnections", connections);
      }
      case CASSANDRA -> {
        Config c = config.getConfig("actorgrid.journal.cassandra");
        String keyspace = c.getString("keyspace");
        boolean create = c.getBoolean("schema-autocreate");
        int replication = c.getInt("replication-factor");
        String p = "pekko.persistence.cassandra.";
        overrides.put("pekko.persistence.journal.plugin", p + "journal");
        overrides.put("pekko.persistence.snapshot-store.plugin", p + "snapshot");
        overrides.put(p + "journal.keyspace", keyspace);
        overrides.put(p + "snapshot.keyspace", keyspace);
        overrides.put(p + "journal.keyspace-autocreate", create);
        overrides.put(p + "journal.tables-autocreate", create);
        overrides.put(p + "snapshot.keyspace-autocreate", create);
        overrides.put(p + "snapshot.tables-autocreate", create);
        overrides.put(p + "journal.replication-factor", replication);
        overrides.put(p + "snapshot.replication-factor", replication);
        // No unique key fences a stale writer on Cassandra (docs/operations.md): a downed node's
        // partitions start elsewhere only after the full margin Pekko derives for the resolver
        // (stable-after), and never sooner than CASSANDRA_MIN_MARGIN_MILLIS.
        overrides.put(
            "pekko.cluster.down-removal-margin",
            Math.max(
                    CASSANDRA_MIN_MARGIN_MILLIS,
                    config
                        .getDuration("pekko.cluster.split-brain-resolver.stable-after")
                        .toMillis())
                + "ms");
        // The tag-based events-by-tag machinery is not used: partitions are not tagged.
        overrides.put(p + "events-by-tag.enabled", false);
        overrides.put(
            "datastax-java-driver.basic.contact-points",
            GridSettings.hostPortList(config, "journal.cassandra.contact-points"));
        overrides.put(
            "datastax-java-driver.basic.load-balancing-policy.local-datacenter",
            c.getString("local-datacenter"));
        overrides.put("datastax-java-driver.advanced.reconnect-on-init", true);
        // The plugin creates its keyspace and tables once, without retrying; the driver's 2 s
        // default fails them on a busy server and leaves the node unable to recover partitions.
        overrides.put("datastax-java-driver.basic.request.timeout", "15s");
      }
      case ROCKSDB -> {
        String dir = config.getString("actorgrid.journal.rocksdb.dir");
        String durability = config.getString("actorgrid.journal.rocksdb.durability");
        // Parsed here so that a typo fails the start with the operator's setting named.
        RocksSettings.Durability.parse(durability);
        String p = RocksSettings.PATH + ".";
        overrides.put("pekko.persistence.journal.plugin", p + "journal");
        overrides.put("pekko.persistence.snapshot-store.plugin", p + "snapshot-store");
        overrides.put(
            p + "dir",
            dir.isEmpty()
                ? settings.dataDir().resolve("rocksdb").toString()
                : Path.of(dir).toAbsolutePath().normalize().toString());
        overrides.put(p + "durability", durability);
        overrides.put(
            p + "memory-budget", config.getBytes("actorgrid.journal.rocksdb.memory-budget"));
      }
      default -> throw new IllegalStateException();
    }
    if (settings.bootstrap()) {
      List<Map<String, Object>> endpoints = new ArrayList<>();
      for (String hostPort : GridSettings.hostPortList(config, "cluster.bootstrap.endpoints")) {
        int colon = hostPort.lastIndexOf(':');
        endpoints.add(
            Map.of(
                "host", hostPort.substring(0, colon),
                "port", Integer.parseInt(hostPort.substring(colon + 1))));
      }
      String service = config.getString("actorgrid.cluster.bootstrap.service-name");
      overrides.put("pekko.discovery.config.services." + service + ".endpoints", endpoints);
    }
    return ConfigFactory.parseMap(overrides).withFallback(config);
  }

  /**
   * Artery over TLS with mutual authentication when {@code actorgrid.cluster.tls} names its three
   * files: Pekko's rotating-keys engine reads them (and reads them again as they rotate). Nothing
   * when none is set; a partial setting is refused.
   */
  static Map<String, Object> memberTls(Config config) {
    Config tls = config.getConfig("actorgrid.cluster.tls");
    Map<String, String> files = new LinkedHashMap<>();
    files.put("cert-file", "GRID_CLUSTER_TLS_CERT_FILE");
    files.put("key-file", "GRID_CLUSTER_TLS_KEY_FILE");
    files.put("ca-file", "GRID_CLUSTER_TLS_CA_FILE");
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, String> file : files.entrySet()) {
      if (tls.getString(file.getKey()).isBlank()) {
        missing.add("actorgrid.cluster.tls." + file.getKey() + " (" + file.getValue() + ")");
      }
    }
    if (missing.size() == files.size()) {
      return Map.of();
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "member TLS needs a certificate, its key and the cluster's CA; missing "
              + String.join(", ", missing));
    }
    for (String file : files.keySet()) {
      Path path = Path.of(tls.getString(file));
      if (!Files.isReadable(path)) {
        throw new IllegalArgumentException(
            "actorgrid.cluster.tls." + file + ": cannot read " + path.toAbsolutePath());
      }
    }
    String engine = "pekko.remote.artery.ssl.rotating-keys-engine.";
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("pekko.remote.artery.transport", "tls-tcp");
    overrides.put(
        "pekko.remote.artery.ssl.ssl-engine-provider",
        "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider");
    overrides.put(engine + "cert-file", absolute(tls.getString("cert-file")));
    overrides.put(engine + "key-file", absolute(tls.getString("key-file")));
    overrides.put(engine + "ca-cert-file", absolute(tls.getString("ca-file")));
    return overrides;
  }

  private static String absolute(String file) {
    return Path.of(file).toAbsolutePath().toString();
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
