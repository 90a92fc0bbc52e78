package io.actorgrid.systemtest;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A thin client for the node's HTTP API v1 over {@link HttpClient}, speaking HTTP/1.1 as curl does.
 * Every call is a single attempt, except {@link #sendUntilAvailable}; callers decide what a 503 or
 * a connection error means for them.
 */
final class GridHttpClient {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private static final Duration RETRY_INTERVAL = Duration.ofMillis(250);
  private static final Pattern STRONG_ETAG = Pattern.compile("\"(\\d+)\"");
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private final URI base;
  private final HttpClient client;

  GridHttpClient(URI base) {
    this.base = base;
    this.client =
        TestTls.clientBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
  }

  /** {@code /v1/maps/{map}/entries/{key}} with both segments percent-encoded. */
  static String entryPath(String map, String key) {
    return entriesPath(map) + "/" + encode(key);
  }

  /** {@code /v1/maps/{map}/entries} with the map percent-encoded. */
  static String entriesPath(String map) {
    return "/v1/maps/" + encode(map) + "/entries";
  }

  /**
   * Percent-encodes everything but RFC 3986 unreserved characters, so the result is safe as one
   * path segment or one query value: a slash becomes {@code %2F}, a space {@code %20} (never the
   * {@code +} of form encoding, which a path does not decode).
   */
  static String encode(String text) {
    StringBuilder encoded = new StringBuilder();
    for (byte b : text.getBytes(UTF_8)) {
      char c = (char) (b & 0xFF);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        encoded.append(c);
      } else {
        encoded.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    return encoded.toString();
  }

  /** A request to {@code pathAndQuery} (already encoded) with the standard timeout. */
  HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(REQUEST_TIMEOUT);
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** {@link #send} without waiting: for probes that must not queue behind a slow answer. */
  CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  /** {@code GET pathAndQuery}, for health checks and listings. */
  HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return send(request(pathAndQuery).GET().build());
  }

  /** {@code PUT} of a text body; {@code headers} are name-value pairs such as If-Match. */
  HttpResponse<String> put(
      String map, String key, String contentType, String body, String... headers)
      throws IOException, InterruptedException {
    return send(
        withHeaders(request(entryPath(map, key)), headers)
            .header("Content-Type", contentType)
            .PUT(HttpRequest.BodyPublishers.ofString(body, UTF_8))
            .build());
  }

  /**
   * Any request: {@code method} on {@code pathAndQuery} with a text body ({@code contentType} null
   * sends no Content-Type; an empty body sends none).
   */
  HttpResponse<String> send(
      String method, String pathAndQuery, String contentType, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = withHeaders(request(pathAndQuery), headers);
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return send(
        request
            .method(
                method,
                body.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, UTF_8))
            .build());
  }

  HttpResponse<String> get(String map, String key, String... headers)
      throws IOException, InterruptedException {
    return send(withHeaders(request(entryPath(map, key)), headers).GET().build());
  }

  HttpResponse<String> delete(String map, String key, String... headers)
      throws IOException, InterruptedException {
    return send(withHeaders(request(entryPath(map, key)), headers).DELETE().build());
  }

  private static HttpRequest.Builder withHeaders(HttpRequest.Builder builder, String... headers) {
    return headers.length == 0 ? builder : builder.headers(headers);
  }

  /**
   * Sends {@code request} until the node answers with something other than 503, retrying 503s and
   * connection errors until {@code deadline}: for reads right after a restart, when a partition may
   * still be recovering and the node legitimately answers 503. Only for idempotent requests.
   */
  HttpResponse<String> sendUntilAvailable(HttpRequest request, Instant deadline)
      throws IOException, InterruptedException {
    while (true) {
      try {
        HttpResponse<String> response = send(request);
        if (response.statusCode() != 503 || Instant.now().isAfter(deadline)) {
          return response;
        }
      } catch (IOException e) {
        if (Instant.now().isAfter(deadline)) {
          throw e;
        }
      }
      Thread.sleep(RETRY_INTERVAL.toMillis());
    }
  }

  /** The version in a strong {@code ETag: "N"} header, if the response has one. */
  static OptionalLong version(HttpResponse<?> response) {
    return response
        .headers()
        .firstValue("ETag")
        .map(STRONG_ETAG::matcher)
        .filter(Matcher::matches)
        .map(m -> OptionalLong.of(Long.parseLong(m.group(1))))
        .orElse(OptionalLong.empty());
  }

  /** The ETag value for {@code version}, as If-Match and If-None-Match take it. */
  static String etag(long version) {
    return "\"" + version + "\"";
  }

  /** The media type of the response without parameters, lower case; empty when absent. */
  static String mediaType(HttpResponse<?> response) {
    return response
        .headers()
        .firstValue("Content-Type")
        .map(value -> value.split(";", 2)[0].trim().toLowerCase(Locale.ROOT))
        .orElse("");
  }

  /** The exchange as one line plus body, for assertion messages. */
  static String describe(HttpResponse<String> response) {
    String body = response.body();
    if (body != null && body.length() > 2000) {
      body = body.substring(0, 2000) + "... (" + body.length() + " chars)";
    }
    return response.request().method()
        + " "
        + response.uri()
        + " -> "
        + response.statusCode()
        + " "
        + response.headers().map()
        + "\n"
        + body;
  }
}
