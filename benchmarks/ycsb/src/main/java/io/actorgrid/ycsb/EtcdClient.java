package io.actorgrid.ycsb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
 * YCSB binding for etcd 3.4 through its JSON gateway (grpc-gateway on the client port: {@code POST
 * /v3/kv/put}, {@code /v3/kv/range}, {@code /v3/kv/deleterange}, {@code /v3/kv/txn}, keys and
 * values base64 in JSON). A record is stored with the same encoding as {@link ActorGridClient}
 * ({@link RecordCodec}) under the etcd key {@code <table>/<key>}, so a table is a key prefix.
 *
 * <p>Properties: {@code etcd.url} (default {@code http://127.0.0.1:2379}), {@code etcd.api} (path
 * prefix of the gateway, default {@code /v3}; etcd 3.4 also serves {@code /v3beta}, 3.3 only that,
 * 3.5 only {@code /v3}), {@code etcd.timeout.ms} (default 10000).
 *
 * <p>Update: like {@link ActorGridClient}, a plain put when every field is given, otherwise range,
 * merge and a transaction that puts only if the key's mod_revision is unchanged, retried on
 * conflict. Scan: one range from {@code <table>/<startkey>} to the end of the table's prefix.
 *
 * <p>Statuses: an absent key is NOT_FOUND; HTTP 429/503/504 (etcd's "too many requests", no leader)
 * and timeouts are SERVICE_UNAVAILABLE; anything else unexpected is ERROR.
 */
public final class EtcdClient extends HttpDb {
  public static final String URL_PROPERTY = "etcd.url";
  public static final String API_PROPERTY = "etcd.api";
  public static final String TIMEOUT_PROPERTY = "etcd.timeout.ms";

  private static final int MAX_MERGE_ATTEMPTS = 10;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private URI putUri;
  private URI rangeUri;
  private URI deleteUri;
  private URI txnUri;

  @Override
  public void init() throws DBException {
    Properties props = getProperties();
    configure(props, TIMEOUT_PROPERTY);
    String base =
        ActorGridClient.stripSlash(props.getProperty(URL_PROPERTY, "http://127.0.0.1:2379"))
            + ActorGridClient.stripSlash(props.getProperty(API_PROPERTY, "/v3"));
    try {
      putUri = URI.create(base + "/kv/put");
      rangeUri = URI.create(base + "/kv/range");
      deleteUri = URI.create(base + "/kv/deleterange");
      txnUri = URI.create(base + "/kv/txn");
    } catch (IllegalArgumentException e) {
      throw new DBException(URL_PROPERTY + " is not a URL: " + base, e);
    }
  }

  @Override
  public Status read(
      String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      ObjectNode body = MAPPER.createObjectNode().put("key", etcdKey(table, key));
      HttpResponse<byte[]> response = post(rangeUri, body);
      if (response.statusCode() != 200) {
        return unexpected("read " + key, response);
      }
      JsonNode kv = MAPPER.readTree(response.body()).path("kvs").path(0);
      if (kv.isMissingNode()) {
        return Status.NOT_FOUND;
      }
      RecordCodec.select(RecordCodec.decode(value(kv)), fields, result);
      return Status.OK;
    } catch (IOException | InterruptedException e) {
      return failed("read " + key, e);
    } catch (IllegalArgumentException e) {
      log("read " + key + ": " + e.getMessage());
      return Status.UNEXPECTED_STATE;
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    return put(table, key, RecordCodec.encode(values), "insert");
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    if (coversWholeRecord(values)) {
      return put(table, key, RecordCodec.encode(values), "update");
    }
    Map<String, String> changes = StringByteIterator.getStringMap(values);
    String etcdKey = etcdKey(table, key);
    try {
      for (int attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
        HttpResponse<byte[]> current =
            post(rangeUri, MAPPER.createObjectNode().put("key", etcdKey));
        if (current.statusCode() != 200) {
          return unexpected("update (range) " + key, current);
        }
        JsonNode kv = MAPPER.readTree(current.body()).path("kvs").path(0);
        if (kv.isMissingNode()) {
          return Status.NOT_FOUND;
        }
        Map<String, String> record = RecordCodec.decode(value(kv));
        record.putAll(changes);
        ObjectNode txn = MAPPER.createObjectNode();
        txn.putArray("compare")
            .addObject()
            .put("key", etcdKey)
            .put("target", "MOD")
            .put("result", "EQUAL")
            .put("mod_revision", kv.path("mod_revision").asText());
        txn.putArray("success")
            .addObject()
            .putObject("request_put")
            .put("key", etcdKey)
            .put("value", B64.encodeToString(RecordCodec.encodeStrings(record)));
        HttpResponse<byte[]> response = post(txnUri, txn);
        if (response.statusCode() != 200) {
          return unexpected("update (txn) " + key, response);
        }
        // The gateway leaves out false booleans: "succeeded" is absent when the compare failed.
        if (MAPPER.readTree(response.body()).path("succeeded").asBoolean(false)) {
          return Status.OK;
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
      HttpResponse<byte[]> response =
          post(deleteUri, MAPPER.createObjectNode().put("key", etcdKey(table, key)));
      if (response.statusCode() != 200) {
        return unexpected("delete " + key, response);
      }
      // int64 fields are JSON strings, and absent when zero.
      return MAPPER.readTree(response.body()).path("deleted").asLong(0) > 0
          ? Status.OK
          : Status.NOT_FOUND;
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
    try {
      ObjectNode body =
          MAPPER
              .createObjectNode()
              .put("key", etcdKey(table, startKey))
              .put("range_end", B64.encodeToString(prefixEnd(table + "/")))
              .put("limit", recordCount);
      HttpResponse<byte[]> response = post(rangeUri, body);
      if (response.statusCode() != 200) {
        return unexpected("scan " + startKey, response);
      }
      JsonNode kvs = MAPPER.readTree(response.body()).path("kvs");
      if (kvs instanceof ArrayNode) {
        for (JsonNode kv : kvs) {
          HashMap<String, ByteIterator> record = new HashMap<>();
          RecordCodec.select(RecordCodec.decode(value(kv)), fields, record);
          result.add(record);
        }
      }
      return Status.OK;
    } catch (IOException | InterruptedException e) {
      return failed("scan " + startKey, e);
    } catch (IllegalArgumentException e) {
      log("scan " + startKey + ": " + e.getMessage());
      return Status.UNEXPECTED_STATE;
    }
  }

  /** The first key after every key that starts with {@code prefix} (etcd's range_end). */
  static byte[] prefixEnd(String prefix) {
    byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return Arrays.copyOf(end, i + 1);
      }
    }
    return new byte[] {0}; // the prefix is all 0xff: range to the end of the keyspace
  }

  static String etcdKey(String table, String key) {
    return B64.encodeToString((table + "/" + key).getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] value(JsonNode kv) {
    // An empty value is left out of the JSON like every default.
    return B64D.decode(kv.path("value").asText(""));
  }

  private Status put(String table, String key, byte[] record, String what) {
    ObjectNode body =
        MAPPER
            .createObjectNode()
            .put("key", etcdKey(table, key))
            .put("value", B64.encodeToString(record));
    try {
      HttpResponse<byte[]> response = post(putUri, body);
      return response.statusCode() == 200 ? Status.OK : unexpected(what + " " + key, response);
    } catch (IOException | InterruptedException e) {
      return failed(what + " " + key, e);
    }
  }

  private HttpResponse<byte[]> post(URI uri, ObjectNode body)
      throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(body)))
            .build());
  }
}
