package io.actorgrid.ycsb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import site.ycsb.ByteIterator;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/**
 * YCSB binding for ActorGrid's HTTP API v1. A YCSB table is an ActorGrid map, a record is the JSON
 * object of its fields ({@link RecordCodec}) stored as {@code application/json} under the YCSB key.
 *
 * <p>Properties: {@code actorgrid.url} (default {@code http://127.0.0.1:8080}), {@code
 * actorgrid.map} (default: the YCSB table name), {@code actorgrid.timeout.ms} (default 10000).
 *
 * <p>Statuses: 404 is NOT_FOUND; 503 (a partition that is recovering or whose journal fails), 429,
 * 504 and request timeouts are SERVICE_UNAVAILABLE; anything else unexpected is ERROR.
 *
 * <p>Update: see {@link HttpDb#coversWholeRecord}. With every field given it is one unconditional
 * PUT; otherwise GET, merge, and PUT with {@code If-Match} on the version read, retried on 412, so
 * concurrent partial updates of one record never lose each other's fields.
 *
 * <p>Scan: YCSB scans from a start key, inclusive. The list route pages by a cursor that is a
 * position in key order ({@code "1." + base64url(last key)}, the format {@code GridMap} issues):
 * the binding reads the start key itself, then lists the records after it with a cursor made from
 * it. This depends on that cursor format; if it changes the list route answers 400 and scans fail
 * with BAD_REQUEST. Each scan asks all partitions, so workload E measures that fan-out.
 */
public final class ActorGridClient extends HttpDb {
  public static final String URL_PROPERTY = "actorgrid.url";
  public static final String MAP_PROPERTY = "actorgrid.map";
  public static final String TIMEOUT_PROPERTY = "actorgrid.timeout.ms";

  private static final String JSON = "application/json";
  private static final int MAX_MERGE_ATTEMPTS = 10;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private String baseUrl;
  private String fixedMap;

  @Override
  public void init() throws DBException {
    Properties props = getProperties();
    configure(props, TIMEOUT_PROPERTY);
    baseUrl = stripSlash(props.getProperty(URL_PROPERTY, "http://127.0.0.1:8080"));
    fixedMap = props.getProperty(MAP_PROPERTY);
    try {
      URI.create(baseUrl);
    } catch (IllegalArgumentException e) {
      throw new DBException(URL_PROPERTY + " is not a URL: " + baseUrl, e);
    }
  }

  @Override
  public Status read(
      String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      HttpResponse<byte[]> response = send(request(table, key).GET().build());
      return switch (response.statusCode()) {
        case 200 -> select(response.body(), fields, result);
        case 404 -> Status.NOT_FOUND;
        default -> unexpected("read " + key, response);
      };
    } catch (IOException | InterruptedException e) {
      return failed("read " + key, e);
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    return put(table, key, RecordCodec.encode(values), null, "insert");
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    if (coversWholeRecord(values)) {
      return put(table, key, RecordCodec.encode(values), null, "update");
    }
    Map<String, String> changes = StringByteIterator.getStringMap(values);
    try {
      for (int attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
        HttpResponse<byte[]> current = send(request(table, key).GET().build());
        if (current.statusCode() == 404) {
          return Status.NOT_FOUND;
        }
        if (current.statusCode() != 200) {
          return unexpected("update (read) " + key, current);
        }
        String etag = current.headers().firstValue("ETag").orElse(null);
        if (etag == null) {
          log("update " + key + ": the read had no ETag");
          return Status.ERROR;
        }
        Map<String, String> record = RecordCodec.decode(current.body());
        record.putAll(changes);
        Status status = put(table, key, RecordCodec.encodeStrings(record), etag, "update");
        if (status != Status.UNEXPECTED_STATE) {
          return status;
        }
      }
      log("update " + key + ": still conflicting after " + MAX_MERGE_ATTEMPTS + " attempts");
      return Status.UNEXPECTED_STATE;
    } catch (IOException | InterruptedException e) {
      return failed("update " + key, e);
    } catch (IllegalArgumentException e) {
      log("update " + key + ": " + e.getMessage());
      return Status.UNEXPECTED_STATE;
    }
  }

  @Override
  public Status delete(String table, String key) {
    try {
      HttpResponse<byte[]> response = send(request(table, key).DELETE().build());
      return switch (response.statusCode()) {
        case 200, 204 -> Status.OK;
        case 404 -> Status.NOT_FOUND;
        default -> unexpected("delete " + key, response);
      };
    } catch (IOException | InterruptedException e) {
      return failed("delete " + key, e);
    }
  }

  @Override
  public Status scan(
      String table,
      String startKey,
      int recordCount,
      Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    if (recordCount < 1) {
      return Status.OK;
    }
    HashMap<String, ByteIterator> first = new HashMap<>();
    Status firstStatus = read(table, startKey, fields, first);
    if (firstStatus == Status.OK) {
      result.add(first);
    } else if (firstStatus != Status.NOT_FOUND) {
      return firstStatus;
    }
    String cursor = cursorAfter(startKey);
    try {
      while (result.size() < recordCount && cursor != null) {
        int limit = Math.min(1000, recordCount - result.size());
        URI uri =
            URI.create(
                baseUrl
                    + "/v1/maps/"
                    + encode(map(table))
                    + "/entries?values=true&limit="
                    + limit
                    + "&cursor="
                    + encode(cursor));
        HttpResponse<byte[]> response =
            send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build());
        if (response.statusCode() != 200) {
          return unexpected("scan " + startKey, response);
        }
        JsonNode page = MAPPER.readTree(response.body());
        for (JsonNode item : page.path("items")) {
          JsonNode value = item.get("value");
          if (value == null || !value.isObject()) {
            log("scan " + startKey + ": " + item.path("key").asText() + " is not a JSON record");
            return Status.UNEXPECTED_STATE;
          }
          Map<String, String> stored = new HashMap<>();
          value.properties().forEach(f -> stored.put(f.getKey(), f.getValue().asText()));
          HashMap<String, ByteIterator> record = new HashMap<>();
          RecordCodec.select(stored, fields, record);
          result.add(record);
        }
        JsonNode next = page.get("cursor");
        cursor = next == null || next.isNull() ? null : next.asText();
      }
      return Status.OK;
    } catch (IOException | InterruptedException e) {
      return failed("scan " + startKey, e);
    }
  }

  /** The list cursor whose next page starts right after {@code key}. */
  static String cursorAfter(String key) {
    return "1."
        + Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  /** A key or map name as one path segment ({@code URLEncoder} writes a space as '+'). */
  static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private Status put(String table, String key, byte[] body, String ifMatch, String what) {
    HttpRequest.Builder builder =
        request(table, key)
            .header("Content-Type", JSON)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (ifMatch != null) {
      builder.header("If-Match", ifMatch);
    }
    try {
      HttpResponse<byte[]> response = send(builder.build());
      return switch (response.statusCode()) {
        case 200, 201 -> Status.OK;
        case 412 -> ifMatch != null ? Status.UNEXPECTED_STATE : unexpected(what, response);
        default -> unexpected(what + " " + key, response);
      };
    } catch (IOException | InterruptedException e) {
      return failed(what + " " + key, e);
    }
  }

  private Status select(byte[] body, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      RecordCodec.select(RecordCodec.decode(body), fields, result);
      return Status.OK;
    } catch (IllegalArgumentException e) {
      log("read: " + e.getMessage());
      return Status.UNEXPECTED_STATE;
    }
  }

  private HttpRequest.Builder request(String table, String key) {
    return HttpRequest.newBuilder(
            URI.create(baseUrl + "/v1/maps/" + encode(map(table)) + "/entries/" + encode(key)))
        .timeout(timeout);
  }

  private String map(String table) {
    return fixedMap != null ? fixedMap : table;
  }

  static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
