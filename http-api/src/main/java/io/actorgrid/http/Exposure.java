package io.actorgrid.http;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The start-up rule for addresses beyond this machine. On loopback a node may run without TLS or
 * authentication (the README's walk-through is one command); elsewhere:
 *
 * <ul>
 *   <li>an HTTP address that is not loopback needs HTTPS ({@code actorgrid.http.tls}) and an admin
 *       token ({@code actorgrid.auth});
 *   <li>a cluster address that is not loopback needs member TLS ({@code actorgrid.cluster.tls});
 *   <li>the management endpoint (cluster bootstrap only) has no TLS, so it may not listen beyond
 *       loopback.
 * </ul>
 *
 * {@code actorgrid.insecure} (GRID_INSECURE=true) starts the node anyway, with a warning for each
 * breach at every start. An address counts as loopback when every address its name resolves to is a
 * loopback address; 0.0.0.0 (every interface) is not.
 */
final class Exposure {
  private Exposure() {}

  /** What the rule found: breaches that stop the start, and warnings to log at every start. */
  record Verdict(List<String> breaches, List<String> warnings, boolean insecure) {
    boolean refuses() {
      return !breaches.isEmpty() && !insecure;
    }
  }

  static Verdict check(Config config, HttpSettings http) {
    List<String> breaches = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    boolean insecure = config.getBoolean("actorgrid.insecure");
    boolean token = adminTokenConfigured(config);
    if (!isLoopback(http.host()) && (http.tls().isEmpty() || !token)) {
      List<String> lacks = new ArrayList<>();
      if (http.tls().isEmpty()) {
        lacks.add("HTTPS (GRID_TLS_CERT_FILE and GRID_TLS_KEY_FILE)");
      }
      if (!token) {
        lacks.add("authentication (GRID_ADMIN_TOKEN or GRID_ADMIN_TOKEN_FILE)");
      }
      breaches.add(
          "the HTTP API listens on "
              + http.host()
              + ", which is not loopback, without "
              + String.join(" and ", lacks));
    }
    String clusterHost = config.getString("actorgrid.cluster.host");
    if (!isLoopback(clusterHost) && !memberTls(config)) {
      breaches.add(
          "the cluster port listens on "
              + clusterHost
              + ", which is not loopback, without member TLS (GRID_CLUSTER_TLS_CERT_FILE,"
              + " GRID_CLUSTER_TLS_KEY_FILE and GRID_CLUSTER_TLS_CA_FILE)");
    }
    if (config.getBoolean("actorgrid.cluster.bootstrap.enabled")) {
      String management = config.getString("actorgrid.management.host");
      String host = management.isEmpty() ? clusterHost : management;
      if (!isLoopback(host)) {
        breaches.add(
            "the management endpoint of cluster bootstrap listens on "
                + host
                + ", which is not loopback, and it has no TLS: form the cluster with seed nodes"
                + " (GRID_SEED_NODES) and member TLS instead");
      }
    }
    if (insecure) {
      warnings.add(
          "GRID_INSECURE=true (actorgrid.insecure): the node starts even where an address beyond"
              + " this machine lacks TLS or authentication");
      for (String breach : breaches) {
        warnings.add("INSECURE: " + breach + "; anyone who can reach it can use it");
      }
    }
    return new Verdict(List.copyOf(breaches), List.copyOf(warnings), insecure);
  }

  /** The message of a refusal: every breach, and the settings that lift it. */
  static String refusal(Verdict verdict) {
    return "The node refuses to start: "
        + String.join("; ", verdict.breaches())
        + ". Serve other machines only with TLS and authentication (see README.md, \"Securing a"
        + " cluster\"), keep the addresses on loopback (127.0.0.1, the default), or set"
        + " GRID_INSECURE=true to start anyway on a network you trust.";
  }

  static boolean isLoopback(String host) {
    try {
      InetAddress[] addresses = InetAddress.getAllByName(host);
      return addresses.length > 0
          && Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static boolean adminTokenConfigured(Config config) {
    if (!config.getString("actorgrid.auth.admin-token").isBlank()) {
      return true;
    }
    String file = config.getString("actorgrid.auth.admin-token-file");
    if (file.isBlank()) {
      return false;
    }
    try {
      if (Files.readString(Path.of(file)).isBlank()) {
        throw new IllegalArgumentException(
            "actorgrid.auth.admin-token-file (GRID_ADMIN_TOKEN_FILE): " + file + " is empty");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "actorgrid.auth.admin-token-file (GRID_ADMIN_TOKEN_FILE): cannot read " + file + ": " + e,
          e);
    }
    return true;
  }

  private static boolean memberTls(Config config) {
    Config tls = config.getConfig("actorgrid.cluster.tls");
    // NodeConfig refuses a partial setting; here one file stands for all three.
    return !tls.getString("cert-file").isBlank();
  }
}
