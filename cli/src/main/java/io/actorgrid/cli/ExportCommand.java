package io.actorgrid.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Writes a map's records to stdout as NDJSON, one object per line: {@code map}, {@code key}, {@code
 * contentType}, {@code expiresAt} when the record has a time to live, and the value as {@code
 * value} (JSON, inline, byte for byte), {@code valueText} (text in the content type's charset) or
 * {@code valueBase64}. {@link ImportCommand} reads the same lines.
 *
 * <p>It pages through {@code GET /v1/maps/{map}/entries?values=true} in key order. Each page is
 * read from every partition at about the same moment, but pages are read one after another: the
 * export is not a point-in-time snapshot of the map. A record written or deleted while it runs may
 * or may not be in it; every record that exists throughout is in it once, with the value it had
 * when its page was read.
 */
@Command(
    name = "export",
    description = {
      "Writes a map's records to stdout as NDJSON (one JSON object per line), for import.",
      "Consistent per page of records, not a point-in-time snapshot across partitions:",
      "records written while it runs may or may not be included."
    })
final class ExportCommand extends GridCommand {
  private static final int PAGE = 1000;
  private static final int RETRIES = 10;

  @Parameters(index = "0", paramLabel = "MAP")
  String map;

  @Option(names = "--prefix", paramLabel = "P", description = "Only keys that start with P.")
  String prefix;

  @Override
  int run() throws Exception {
    long count = 0;
    String cursor = null;
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    // One write per 64 KiB rather than per line: stdout flushes on every write.
    BufferedOutputStream out = new BufferedOutputStream(cli().out, 1 << 16);
    do {
      byte[] page = fetchPage(cursor);
      List<RawJson.Fields> items = new ArrayList<>();
      cursor = readPage(page, items);
      for (RawJson.Fields item : items) {
        line.reset();
        writeLine(item, line);
        line.write('\n');
        line.writeTo(out);
        count++;
      }
    } while (cursor != null);
    out.flush();
    cli().err.println("exported " + count + " records of map " + map);
    return ExitCodes.OK;
  }

  private byte[] fetchPage(String cursor) throws InterruptedException {
    String path = EntryCommands.listPath(map, prefix, PAGE, cursor, true);
    for (int attempt = 1; ; attempt++) {
      GridHttp.Response r = http().get(path);
      if (r.status() == 503 && attempt < RETRIES) {
        Thread.sleep(1000);
        continue;
      }
      return http().check(r, 200).body();
    }
  }

  /** Adds the page's items; returns its cursor, null on the last page. */
  private String readPage(byte[] page, List<RawJson.Fields> items) throws IOException {
    String cursor = null;
    try (JsonParser parser = cli().mapper.getFactory().createParser(page)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new CliException(ExitCodes.ERROR, "the node's listing is not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        if (name.equals("items") && token == JsonToken.START_ARRAY) {
          while (parser.nextToken() == JsonToken.START_OBJECT) {
            items.add(RawJson.readObject(parser, page));
          }
        } else if (name.equals("cursor") && token == JsonToken.VALUE_STRING) {
          cursor = parser.getText();
        } else {
          parser.skipChildren();
        }
      }
    }
    return cursor;
  }

  private void writeLine(RawJson.Fields item, ByteArrayOutputStream line) throws IOException {
    String key = item.get("key");
    String contentType = item.get("contentType");
    try (JsonGenerator g = cli().mapper.getFactory().createGenerator(line)) {
      g.writeStartObject();
      g.writeStringField("map", map);
      g.writeStringField("key", key);
      g.writeStringField("contentType", contentType);
      if (item.get("expiresAt") != null) {
        g.writeStringField("expiresAt", item.get("expiresAt"));
      }
      if (item.value() != null) {
        byte[] raw = item.valueWithSpace();
        if (Arrays.equals(raw, item.value()) && !hasLineBreak(raw)) {
          g.writeFieldName("value");
          g.writeRawValue(new String(raw, StandardCharsets.UTF_8));
        } else {
          // A JSON value with spacing around it or across lines: its exact text, on one line.
          g.writeStringField("valueText", new String(raw, StandardCharsets.UTF_8));
        }
      } else if (item.get("valueText") != null) {
        String text = item.get("valueText");
        if (text.indexOf('\uFFFD') >= 0) {
          // Bytes that are not text in their charset were replaced in the listing: read them as
          // stored, so the export stays exact.
          g.writeStringField("valueBase64", Base64.getEncoder().encodeToString(rawValue(key)));
        } else {
          g.writeStringField("valueText", text);
        }
      } else if (item.get("valueBase64") != null) {
        g.writeStringField("valueBase64", item.get("valueBase64"));
      }
      g.writeEndObject();
    }
  }

  private byte[] rawValue(String key) {
    return http().check(http().get(GridHttp.entryPath(map, key)), 200).body();
  }

  private static boolean hasLineBreak(byte[] raw) {
    for (byte b : raw) {
      if (b == '\n' || b == '\r') {
        return true;
      }
    }
    return false;
  }
}
