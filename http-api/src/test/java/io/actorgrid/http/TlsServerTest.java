package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.actorgrid.grid.Grid;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS as an operator sets it up with {@code bin/actorgrid certs}: a client that trusts the CA
 * gets answers, plain HTTP on the port gets none, and with a client CA only clients with a
 * certificate from it connect. Certificates rotate without a restart.
 *
 * <p>One in-JVM node serves several listeners, each bound with its own TLS settings on a free
 * loopback port.
 */
class TlsServerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir static Path dir;

  static Grid grid;
  static Config config;
  static Path certs;

  @BeforeAll
  static void startNode() throws Exception {
    certs = dir.resolve("certs");
    DevCertificates.write(certs, "node", List.of());
    config =
        ConfigFactory.parseString(
                "actorgrid.data-dir = \""
                    + dir.resolve("data")
                    + "\"\nactorgrid.cluster.port = 0\nactorgrid.http.port = 0\n"
                    // Fewer partitions than the shipped 128: the node starts faster, and nothing
                    // here depends on the number.
                    + "actorgrid.partitions = 8")
            .withFallback(ConfigFactory.load());
    grid = Grid.start(config, PrometheusMetrics.newRegistry());
    grid.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopNode() {
    if (grid != null) {
      grid.close();
    }
  }

  @Test
  void aClientThatTrustsTheCaGetsAnswersAndPlainHttpGetsNone() throws Exception {
    int port = bind(tls(certs.resolve("node.crt"), certs.resolve("node.key"), null, "10s"));
    HttpClient trusting = client(trust(certs.resolve("ca.crt")));
    assertEquals(200, get(trusting, "https://127.0.0.1:" + port + "/health/ready").statusCode());
    assertEquals(200, get(trusting, "https://localhost:" + port + "/health/ready").statusCode());

    // Plain HTTP on the HTTPS port: no HTTP response, only TLS's refusal (or a closed socket).
    try (Socket socket = RawHttp.connect("http://127.0.0.1:" + port, TIMEOUT)) {
      socket
          .getOutputStream()
          .write("GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(ISO_8859_1));
      byte[] answer = socket.getInputStream().readNBytes(5);
      assertFalse(new String(answer, ISO_8859_1).startsWith("HTTP/"), "plain HTTP was answered");
    } catch (IOException refused) {
      // Reset by the server: refused as well.
    }
    HttpClient plain = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    assertThrows(IOException.class, () -> get(plain, "http://127.0.0.1:" + port + "/health/ready"));

    // A client that does not trust the development CA refuses the node's certificate.
    HttpClient jdkDefaults = client(SSLContext.getDefault());
    assertThrows(
        IOException.class, () -> get(jdkDefaults, "https://127.0.0.1:" + port + "/health/ready"));
  }

  @Test
  void withAClientCaOnlyClientsWithItsCertificatesConnect() throws Exception {
    int port =
        bind(
            tls(
                certs.resolve("node.crt"),
                certs.resolve("node.key"),
                certs.resolve("ca.crt"),
                "10s"));
    String ready = "https://127.0.0.1:" + port + "/health/ready";
    HttpClient withCertificate =
        client(
            PemFiles.sslContext(
                certs.resolve("client.crt"),
                certs.resolve("client.key"),
                Optional.of(certs.resolve("ca.crt"))));
    assertEquals(200, get(withCertificate, ready).statusCode());

    HttpClient withoutCertificate = client(trust(certs.resolve("ca.crt")));
    assertThrows(IOException.class, () -> get(withoutCertificate, ready));

    // A certificate from another CA is refused too.
    Path other = dir.resolve("other-ca");
    DevCertificates.write(other, "node", List.of());
    HttpClient foreign =
        client(
            PemFiles.sslContext(
                other.resolve("client.crt"),
                other.resolve("client.key"),
                Optional.of(certs.resolve("ca.crt"))));
    assertThrows(IOException.class, () -> get(foreign, ready));
  }

  // The reload interval is 0 s instead of the shipped 10 s so that the first connection after the
  // files change sees them, without the test waiting.
  @Test
  void replacedCertificateFilesServeNewConnectionsWithoutARestart() throws Exception {
    Path live = dir.resolve("rotating");
    Files.createDirectories(live);
    Files.copy(certs.resolve("node.crt"), live.resolve("tls.crt"));
    Files.copy(certs.resolve("node.key"), live.resolve("tls.key"));
    int port = bind(tls(live.resolve("tls.crt"), live.resolve("tls.key"), null, "0s"));
    String ready = "https://127.0.0.1:" + port + "/health/ready";
    assertEquals(200, get(client(trust(certs.resolve("ca.crt"))), ready).statusCode());

    // Rotate to a certificate of a new CA: clients that trust only the new CA connect now.
    Path next = dir.resolve("next-ca");
    DevCertificates.write(next, "node", List.of());
    Files.copy(
        next.resolve("node.key"), live.resolve("tls.key"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        next.resolve("node.crt"), live.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING);
    assertEquals(200, get(client(trust(next.resolve("ca.crt"))), ready).statusCode());
    assertThrows(IOException.class, () -> get(client(trust(certs.resolve("ca.crt"))), ready));

    // A broken file keeps the last good certificate in use.
    Files.writeString(live.resolve("tls.key"), "not a key");
    assertEquals(200, get(client(trust(next.resolve("ca.crt"))), ready).statusCode());
  }

  @Test
  void privateKeysReadInEveryCommonPemForm() throws Exception {
    for (String form : List.of("rsa-pkcs8", "rsa-pkcs1", "ec-pkcs8", "ec-sec1")) {
      Path keyDir = dir.resolve("keys-" + form);
      TestKeys.write(keyDir, form);
      int port = bind(tls(keyDir.resolve("cert.pem"), keyDir.resolve("key.pem"), null, "10s"));
      HttpClient trusting = client(trust(keyDir.resolve("cert.pem")));
      assertEquals(
          200, get(trusting, "https://127.0.0.1:" + port + "/health/live").statusCode(), form);
    }
  }

  private static int bind(HttpSettings settings) throws Exception {
    ServerBinding binding =
        GridHttpServer.start(grid, settings).toCompletableFuture().get(60, TimeUnit.SECONDS);
    return binding.localAddress().getPort();
  }

  private static HttpSettings tls(Path cert, Path key, Path clientCa, String reload) {
    HttpSettings base = HttpSettings.from(config);
    return new HttpSettings(
        base.host(),
        0,
        base.bodyReadTimeout(),
        base.maxBatchBodyBytes(),
        base.maxInFlightBodyBytes(),
        base.connectionIdleTimeout(),
        Optional.of(
            new HttpSettings.Tls(
                cert,
                key,
                Optional.ofNullable(clientCa),
                com.typesafe.config.ConfigFactory.parseString("d = " + reload).getDuration("d"))));
  }

  /** A context that trusts only the certificates in {@code ca} and presents none. */
  static SSLContext trust(Path ca) throws Exception {
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    store.load(null, null);
    int i = 0;
    for (var certificate : PemFiles.certificates(ca)) {
      store.setCertificateEntry("ca" + i++, certificate);
    }
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  /** A new client each time: no pooled connection hides what a new connection would get. */
  static HttpClient client(SSLContext context) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(TIMEOUT)
        .sslContext(context)
        .build();
  }

  private static HttpResponse<String> get(HttpClient client, String uri)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create(uri)).timeout(TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
