package io.actorgrid.http;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The {@code actorgrid.http} section; defaults in http-api's {@code reference.conf}. */
public record HttpSettings(
    String host,
    int port,
    Duration bodyReadTimeout,
    long maxBatchBodyBytes,
    long maxInFlightBodyBytes,
    Duration connectionIdleTimeout,
    Optional<Tls> tls) {

  /**
   * HTTPS: the node's certificate chain and private key (PEM), and optionally the CA whose
   * certificates clients must present (mutual TLS).
   */
  public record Tls(
      Path certFile, Path keyFile, Optional<Path> clientCaFile, Duration reloadInterval) {}

  public static HttpSettings from(Config root) {
    Config c = root.getConfig("actorgrid.http");
    long maxBatchBodyBytes = c.getBytes("max-batch-body-bytes");
    return new HttpSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getDuration("body-read-timeout"),
        maxBatchBodyBytes,
        inFlightBudget(c, maxBatchBodyBytes),
        c.getDuration("connection-idle-timeout"),
        tls(c.getConfig("tls")));
  }

  /** "auto": an eighth of the maximum heap, at least one largest batch. */
  private static long inFlightBudget(Config c, long maxBatchBodyBytes) {
    String path = "max-in-flight-body-bytes";
    if (c.getString(path).trim().equals("auto")) {
      return Math.max(Runtime.getRuntime().maxMemory() / 8, maxBatchBodyBytes);
    }
    long budget = c.getBytes(path);
    if (budget < maxBatchBodyBytes) {
      throw new IllegalArgumentException(
          "actorgrid.http.max-in-flight-body-bytes ("
              + budget
              + ") must be at least actorgrid.http.max-batch-body-bytes ("
              + maxBatchBodyBytes
              + "), or the largest batch could never be read");
    }
    return budget;
  }

  private static Optional<Tls> tls(Config c) {
    String cert = c.getString("cert-file").trim();
    String key = c.getString("key-file").trim();
    String clientCa = c.getString("client-ca-file").trim();
    if (cert.isEmpty() && key.isEmpty()) {
      if (!clientCa.isEmpty()) {
        throw new IllegalArgumentException(
            "actorgrid.http.tls.client-ca-file (GRID_TLS_CLIENT_CA_FILE) is set but the node has"
                + " no certificate: set GRID_TLS_CERT_FILE and GRID_TLS_KEY_FILE too");
      }
      return Optional.empty();
    }
    if (cert.isEmpty() || key.isEmpty()) {
      throw new IllegalArgumentException(
          "HTTPS needs both actorgrid.http.tls.cert-file (GRID_TLS_CERT_FILE) and"
              + " actorgrid.http.tls.key-file (GRID_TLS_KEY_FILE); only "
              + (cert.isEmpty() ? "the key" : "the certificate")
              + " is set");
    }
    return Optional.of(
        new Tls(
            Path.of(cert).toAbsolutePath(),
            Path.of(key).toAbsolutePath(),
            clientCa.isEmpty() ? Optional.empty() : Optional.of(Path.of(clientCa).toAbsolutePath()),
            c.getDuration("reload-interval")));
  }

  /** "https" when TLS is configured, else "http". */
  public String scheme() {
    return tls.isPresent() ? "https" : "http";
  }
}
