package io.actorgrid.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/*
 * Reads JSON objects whose "value" member must be kept byte for byte. A JSON value stored in a
 * record reaches us inline in a listing (the node copies its bytes into the reply), and goes back
 * inline in an export line; parsing it into a tree and writing it again would change its bytes
 * (spacing, number forms, escapes). So the "value" member is cut out of the input as text: from
 * after its colon to the comma or brace that ends it. The node writes its replies without spacing,
 * so for a listing that cut is exactly the stored value, surrounding whitespace included; in an
 * export line, whitespace around the value is formatting and is trimmed.
 */
final class RawJson {
  private RawJson() {}

  /** An object's string and number members as text, and its "value" member as raw bytes. */
  record Fields(Map<String, String> strings, byte[] value, byte[] valueWithSpace) {
    String get(String name) {
      return strings.get(name);
    }
  }

  /**
   * Reads the object that starts at the parser's current token (START_OBJECT) and leaves the parser
   * on its END_OBJECT. Nested members other than "value" are skipped.
   */
  static Fields readObject(JsonParser parser, byte[] input) throws IOException {
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      throw new IOException("expected a JSON object");
    }
    Map<String, String> strings = new LinkedHashMap<>();
    byte[] value = null;
    byte[] valueWithSpace = null;
    JsonToken token = parser.nextToken();
    while (token == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      long nameAt = parser.currentTokenLocation().getByteOffset();
      JsonToken valueToken = parser.nextToken();
      if (name.equals("value")) {
        int start = colonAfter(input, (int) nameAt) + 1;
        parser.skipChildren();
        token = parser.nextToken();
        int next = (int) parser.currentTokenLocation().getByteOffset();
        int end = next;
        if (token == JsonToken.FIELD_NAME) {
          end = next - 1;
          while (end > start && isSpace(input[end])) {
            end--;
          }
          if (input[end] != ',') {
            throw new IOException("cannot find the end of \"value\"");
          }
        }
        valueWithSpace = Arrays.copyOfRange(input, start, end);
        int from = start;
        int to = end;
        while (from < to && isSpace(input[from])) {
          from++;
        }
        while (to > from && isSpace(input[to - 1])) {
          to--;
        }
        value = Arrays.copyOfRange(input, from, to);
        continue;
      }
      if (valueToken.isScalarValue() && valueToken != JsonToken.VALUE_NULL) {
        strings.put(name, parser.getText());
      } else {
        parser.skipChildren();
      }
      token = parser.nextToken();
    }
    if (token != JsonToken.END_OBJECT) {
      throw new IOException("the object does not end where expected");
    }
    return new Fields(strings, value, valueWithSpace);
  }

  private static int colonAfter(byte[] input, int from) throws IOException {
    for (int i = from; i < input.length; i++) {
      if (input[i] == ':') {
        return i;
      }
    }
    throw new IOException("no colon after \"value\"");
  }

  static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }
}
