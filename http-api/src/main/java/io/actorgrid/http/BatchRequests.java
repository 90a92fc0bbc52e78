package io.actorgrid.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.actorgrid.grid.BatchItem;
import io.actorgrid.grid.BatchTooLargeException;
import io.actorgrid.grid.InvalidRequestException;
import io.actorgrid.grid.Precondition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The body of a batch request, {@code {"items":[{"op":"put","key":"k","value":<JSON>}, ...]}}, read
 * into batch items. Every mistake names the item and says how to fix it.
 */
final class BatchRequests {
  private BatchRequests() {}

  static List<BatchItem> parse(JsonNode body, int maxItems) {
    JsonNode items = body.get("items");
    if (!body.isObject() || body.size() != 1 || items == null || !items.isArray()) {
      throw new InvalidRequestException(
          "a batch is {\"items\": [...]}, each item {\"op\": \"put\"|\"get\"|\"delete\", \"key\":"
              + " \"...\"} and, for a put, \"value\": <JSON>");
    }
    if (items.size() > maxItems) {
      throw new BatchTooLargeException(items.size(), maxItems);
    }
    List<BatchItem> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(item(items.get(i), "items[" + i + "]"));
    }
    return out;
  }

  private static BatchItem item(JsonNode node, String where) {
    if (!node.isObject()) {
      throw new InvalidRequestException(where + " is not a JSON object");
    }
    String op = text(node, "op", where);
    String key = text(node, "key", where);
    JsonNode value = null;
    Duration ttl = null;
    Precondition precondition = Precondition.none();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      switch (field.getKey()) {
        case "op", "key" -> {}
        case "value" -> value = field.getValue();
        case "ttl" -> {
          if (!field.getValue().isTextual()) {
            throw new InvalidRequestException(where + ".ttl is a string such as \"30s\"");
          }
          ttl = Ttls.parse(field.getValue().textValue(), where + ".ttl");
        }
        case "ifVersion" -> {
          JsonNode v = field.getValue();
          if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 1) {
            throw new InvalidRequestException(
                where + ".ifVersion is a record version, a whole number of 1 or more");
          }
          precondition = Precondition.ifVersion(v.longValue());
        }
        case "ifAbsent" -> {
          if (!field.getValue().isBoolean()) {
            throw new InvalidRequestException(where + ".ifAbsent is true or false");
          }
          if (field.getValue().booleanValue()) {
            precondition = Precondition.ifAbsent();
          }
        }
        default ->
            throw new InvalidRequestException(
                where
                    + " has an unknown member '"
                    + field.getKey()
                    + "'; items have op, key, value, ttl, ifVersion and ifAbsent");
      }
    }
    if (node.has("ifVersion") && node.has("ifAbsent")) {
      throw new InvalidRequestException(where + " has both ifVersion and ifAbsent; use one");
    }
    return switch (op) {
      case "put" -> {
        if (value == null) {
          throw new InvalidRequestException(where + " is a put without a value");
        }
        yield BatchItem.put(
            key,
            value.toString().getBytes(StandardCharsets.UTF_8),
            "application/json",
            precondition,
            ttl);
      }
      case "get" -> {
        if (value != null || ttl != null || precondition != Precondition.none()) {
          throw new InvalidRequestException(where + " is a get: it takes only op and key");
        }
        yield BatchItem.get(key);
      }
      case "delete" -> {
        if (value != null || ttl != null || precondition == Precondition.ifAbsent()) {
          throw new InvalidRequestException(
              where + " is a delete: it takes op, key and optionally ifVersion");
        }
        yield BatchItem.delete(key, precondition);
      }
      default ->
          throw new InvalidRequestException(where + ".op is '" + op + "'; use put, get or delete");
    };
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new InvalidRequestException(where + " needs \"" + field + "\" as a string");
    }
    return value.textValue();
  }
}
