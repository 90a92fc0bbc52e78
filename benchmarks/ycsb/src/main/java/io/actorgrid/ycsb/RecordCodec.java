package io.actorgrid.ycsb;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import site.ycsb.ByteIterator;
import site.ycsb.StringByteIterator;

/**
 * A YCSB record as one flat JSON object of string fields, {@code {"field0":"...","field1":"..."}}:
 * the value both bindings store under the record's key. YCSB's random values are printable ASCII
 * that includes {@code "} and {@code \}, so escaping matters; Jackson's streaming API does it
 * without building a tree.
 */
public final class RecordCodec {
  private static final JsonFactory JSON = new JsonFactory();

  private RecordCodec() {}

  /** The JSON object of the fields, in field-name order. Consumes the iterators. */
  public static byte[] encode(Map<String, ByteIterator> values) {
    return encodeStrings(StringByteIterator.getStringMap(values));
  }

  /** The JSON object of already materialized fields, in field-name order. */
  public static byte[] encodeStrings(Map<String, String> fields) {
    // 1 KiB fields are the common case; size the buffer so it rarely grows.
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + fields.size() * 1100);
    try (JsonGenerator gen = JSON.createGenerator(out)) {
      gen.writeStartObject();
      for (Map.Entry<String, String> field : new TreeMap<>(fields).entrySet()) {
        gen.writeStringField(field.getKey(), field.getValue());
      }
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * The fields of a stored record. A number, boolean or null field (the record was not written by
   * these bindings) is kept as its JSON text.
   *
   * @throws IllegalArgumentException when the bytes are not one JSON object
   */
  public static Map<String, String> decode(byte[] json) {
    Map<String, String> fields = new LinkedHashMap<>();
    try (JsonParser parser = JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("a record must be a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_STRING) {
          fields.put(name, parser.getText());
        } else if (value.isStructStart()) {
          throw new IllegalArgumentException(
              "field '" + name + "' holds an object or array; a YCSB record has only scalars");
        } else {
          fields.put(name, parser.getText());
        }
      }
      if (parser.currentToken() != JsonToken.END_OBJECT) {
        throw new IllegalArgumentException("a record must be one JSON object");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("a record must be a JSON object: " + e.getMessage(), e);
    }
    return fields;
  }

  /**
   * Copies the wanted fields of a record into YCSB's result map.
   *
   * @param fields the fields YCSB asks for; null means all of them
   */
  public static void select(
      Map<String, String> record, Set<String> fields, Map<String, ByteIterator> result) {
    if (fields == null) {
      record.forEach((name, value) -> result.put(name, new StringByteIterator(value)));
      return;
    }
    for (String name : fields) {
      String value = record.get(name);
      if (value != null) {
        result.put(name, new StringByteIterator(value));
      }
    }
  }
}
