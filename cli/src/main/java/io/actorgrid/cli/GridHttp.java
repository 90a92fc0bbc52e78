package io.actorgrid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The node's HTTP API v1 through the JDK's {@link HttpClient}. Every request carries {@code
 * Authorization: Bearer} when a token is set. Failures to reach the node become a {@link
 * CliException} with {@link ExitCodes#UNAVAILABLE}; answers, whatever their status, are returned
 * for the command to judge ({@link #check}).
 */
final class GridHttp {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);

  private final String base;
  private final String token;
  private final HttpClient client;
  private final ObjectMapper mapper;

  GridHttp(String url, String token, ObjectMapper mapper) {
    String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    URI uri;
    try {
      uri = URI.create(trimmed);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--url '" + url + "' is not a URL: " + e.getMessage());
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
        || uri.getHost() == null) {
      throw CliException.usage(
          "--url '" + url + "' is not an http:// or https:// URL, such as http://127.0.0.1:8080");
    }
    this.base = trimmed;
    this.token = token == null || token.isBlank() ? null : token.trim();
    this.mapper = mapper;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
  }

  /** An answer of the node: its status, headers and body. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  Response get(String path) {
    return send("GET", path, Map.of(), null);
  }

  Response send(String method, String path, Map<String, String> headers, byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(REQUEST_TIMEOUT)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    headers.forEach(request::header);
    HttpResponse<byte[]> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpConnectTimeoutException | ConnectException e) {
      throw new CliException(
          ExitCodes.UNAVAILABLE,
          "cannot reach the node at "
              + base
              + " ("
              + (e.getMessage() == null ? "connection refused" : e.getMessage())
              + "); is it running? Set --url or GRID_URL");
    } catch (HttpTimeoutException e) {
      throw new CliException(
          ExitCodes.UNAVAILABLE,
          "the node at " + base + " did not answer " + method + " " + path + " in time");
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.UNAVAILABLE,
          "the request " + method + " " + path + " to " + base + " failed: " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.ERROR, "interrupted");
    }
    Map<String, String> names = new LinkedHashMap<>();
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!values.isEmpty()) {
                names.put(name.toLowerCase(Locale.ROOT), values.get(0));
              }
            });
    return new Response(response.statusCode(), names, response.body());
  }

  /**
   * The response if its status is one of {@code expected}; otherwise a {@link CliException} that
   * carries the problem document's title and detail and the exit status for the HTTP status.
   */
  Response check(Response response, int... expected) {
    for (int status : expected) {
      if (response.status() == status) {
        return response;
      }
    }
    throw failure(response);
  }

  CliException failure(Response response) {
    return new CliException(ExitCodes.forStatus(response.status()), problem(response));
  }

  /** "404 Not found: detail" from a problem document, or the status and body of anything else. */
  String problem(Response response) {
    String title = null;
    String detail = null;
    try {
      JsonNode node = mapper.readTree(response.body());
      if (node != null && node.isObject()) {
        title = node.path("title").asText(null);
        detail = node.path("detail").asText(null);
      }
    } catch (IOException e) {
      // Not JSON: the body itself, below.
    }
    StringBuilder message = new StringBuilder().append(response.status());
    if (title != null) {
      message.append(' ').append(title);
    }
    if (detail != null) {
      message.append(": ").append(detail);
    } else if (title == null && response.body().length > 0) {
      String text = response.text().strip();
      message.append(": ").append(text.length() > 500 ? text.substring(0, 500) + "..." : text);
    }
    return message.toString();
  }

  JsonNode json(Response response) {
    try {
      return mapper.readTree(response.body());
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "the node's answer is not JSON: " + e.getMessage());
    }
  }

  /** A path segment: every byte but the unreserved ones percent-encoded, {@code /} too. */
  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static String entryPath(String map, String key) {
    if (key.isEmpty()) {
      // An empty segment would address the map's listing instead of a record.
      throw CliException.usage("the key is empty; a key is 1 to 1024 bytes of UTF-8");
    }
    return "/v1/maps/" + segment(map) + "/entries/" + segment(key);
  }

  private static String describe(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
