package io.actorgrid.systemtest;

import io.actorgrid.http.DevCertificates;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the tests' HTTP clients: certificates made the way {@code bin/actorgrid certs} makes
 * them, and the CA the clients trust while a test runs nodes that serve HTTPS. Every client of the
 * system tests is built by {@link #clientBuilder()}.
 */
final class TestTls {
  private static volatile SSLContext trusted;

  private TestTls() {}

  /** Runs {@code bin/actorgrid certs dir args...} in this JVM. */
  static Path certificates(Path dir, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(dir.toString()));
    all.addAll(List.of(args));
    DevCertificates.main(all.toArray(String[]::new));
    return dir;
  }

  /** From now on, clients trust only the CA certificate in {@code caFile}. */
  static void trustOnly(Path caFile) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int i = 0;
      for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, ca);
      }
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    trusted = context;
  }

  /** Back to the JDK's default trust. */
  static void reset() {
    trusted = null;
  }

  static HttpClient.Builder clientBuilder() {
    SSLContext context = trusted;
    return context == null ? HttpClient.newBuilder() : HttpClient.newBuilder().sslContext(context);
  }
}
