package io.actorgrid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands on single records and on a map's listing. */
final class EntryCommands {
  private EntryCommands() {}

  @Command(
      name = "get",
      description = {
        "Prints a record's value, byte for byte.",
        "With --output json: {key, version, contentType, value | valueText | valueBase64,"
            + " expiresAt}."
      })
  static final class Get extends GridCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    // Not --version: every command has that one (the client's own version).
    @Option(
        names = "--at-version",
        paramLabel = "N",
        description = "The record as version N left it (see history).")
    Long atVersion;

    @Option(
        names = "--as-of",
        paramLabel = "TIME",
        description = "The record as it was at TIME (RFC 3339, e.g. 2026-12-01T10:00:00Z).")
    String asOf;

    @Override
    int run() throws IOException {
      String path = GridHttp.entryPath(map, key);
      if (atVersion != null) {
        path += "?version=" + atVersion;
      } else if (asOf != null) {
        path += "?asOf=" + GridHttp.query(asOf);
      }
      GridHttp.Response r = http().check(http().get(path), 200);
      if (!cli().json()) {
        byte[] value = r.body();
        cli().out.write(value);
        // On a terminal, end the line so the prompt does not follow the value; piped or
        // redirected, the value stays exact.
        if (System.console() != null && (value.length == 0 || value[value.length - 1] != '\n')) {
          cli().out.println();
        }
        return ExitCodes.OK;
      }
      String contentType = r.header("Content-Type").orElse("application/octet-stream");
      ObjectNode node = cli().mapper.createObjectNode();
      node.put("key", key);
      node.put("version", version(r));
      node.put("contentType", contentType);
      r.header("Grid-Expires-At").ifPresent(at -> node.put("expiresAt", at));
      putValue(cli(), node, contentType, r.body());
      cli().printJson(node);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "put",
      description = "Stores a value: from VALUE, from --file, or from stdin when VALUE is -.")
  static final class Put extends GridCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    @Parameters(
        index = "2",
        arity = "0..1",
        paramLabel = "VALUE",
        description = "The value; - reads it from stdin.")
    String value;

    @Option(names = "--file", paramLabel = "FILE", description = "Read the value from FILE.")
    Path file;

    @Option(
        names = "--content-type",
        paramLabel = "TYPE",
        description = {
          "Default: text/plain; charset=UTF-8 for a VALUE argument, application/json for a file"
              + " named *.json, application/octet-stream otherwise."
        })
    String contentType;

    @Option(
        names = "--if-match",
        paramLabel = "VERSION",
        description = "Write only if the record is at VERSION (else exit 4).")
    Long ifMatch;

    @Option(names = "--if-absent", description = "Write only if the record does not exist.")
    boolean ifAbsent;

    @Option(
        names = "--ttl",
        paramLabel = "TTL",
        description = "Time to live: a whole number and ms, s, m, h or d, such as 30s.")
    String ttl;

    @Option(
        names = "--idempotency-key",
        paramLabel = "KEY",
        description = "Sent as Idempotency-Key, so a retry writes nothing twice.")
    String idempotencyKey;

    @Override
    int run() {
      if (ifMatch != null && ifAbsent) {
        throw CliException.usage("--if-match and --if-absent exclude each other; use one");
      }
      byte[] body = Inputs.body(value, file, cli().in, "value");
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Content-Type", contentType == null ? defaultContentType() : contentType);
      conditions(headers, ifMatch);
      if (ifAbsent) {
        headers.put("If-None-Match", "*");
      }
      if (idempotencyKey != null) {
        headers.put("Idempotency-Key", idempotencyKey);
      }
      String path =
          GridHttp.entryPath(map, key) + (ttl == null ? "" : "?ttl=" + GridHttp.query(ttl));
      GridHttp.Response r = http().check(http().send("PUT", path, headers, body), 200, 201);
      printWrite(cli(), r, r.status() == 201 ? "created" : "replaced");
      return ExitCodes.OK;
    }

    private String defaultContentType() {
      if (file != null) {
        return file.getFileName().toString().endsWith(".json")
            ? "application/json"
            : "application/octet-stream";
      }
      return "-".equals(value) ? "application/octet-stream" : "text/plain; charset=UTF-8";
    }
  }

  @Command(name = "delete", description = "Deletes a record (exit 3 when there is none).")
  static final class Delete extends GridCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    @Option(names = "--if-match", paramLabel = "VERSION", description = "Only at VERSION.")
    Long ifMatch;

    @Override
    int run() {
      Map<String, String> headers = new LinkedHashMap<>();
      conditions(headers, ifMatch);
      http().check(http().send("DELETE", GridHttp.entryPath(map, key), headers, null), 204);
      if (cli().json()) {
        ObjectNode node = cli().mapper.createObjectNode();
        node.put("map", map).put("key", key).put("deleted", true);
        cli().printJson(node);
      } else {
        cli().out.println("deleted");
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "list",
      description = {
        "Lists a map's records in key order, one page (or every page with --all).",
        "When more pages follow, stderr shows the --cursor for the next one."
      })
  static final class ListEntries extends GridCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Option(names = "--prefix", paramLabel = "P", description = "Only keys that start with P.")
    String prefix;

    @Option(
        names = "--limit",
        paramLabel = "N",
        description = "Records per page, 1-1000; default 100 (1000 with --all).")
    Integer limit;

    @Option(names = "--cursor", paramLabel = "C", description = "Continue after a page.")
    String cursor;

    @Option(names = "--all", description = "Page through every page.")
    boolean all;

    @Option(names = "--values", description = "Include the values (with --output json).")
    boolean values;

    @Override
    int run() {
      ArrayNode items = cli().mapper.createArrayNode();
      String next = cursor;
      int pageSize = limit != null ? limit : all ? 1000 : 100;
      do {
        JsonNode page =
            http()
                .json(http().check(http().get(listPath(map, prefix, pageSize, next, values)), 200));
        page.path("items").forEach(items::add);
        next = page.path("cursor").isTextual() ? page.path("cursor").textValue() : null;
      } while (all && next != null);
      if (cli().json()) {
        ObjectNode node = cli().mapper.createObjectNode();
        node.put("map", map);
        node.set("items", items);
        node.put("cursor", next);
        cli().printJson(node);
      } else {
        Table table = new Table("KEY", "VERSION", "CONTENT-TYPE", "UPDATED", "EXPIRES-AT");
        for (JsonNode item : items) {
          table.row(
              item.path("key").asText(),
              item.path("version").asLong(),
              item.path("contentType").asText(),
              item.path("updated").asText(null),
              item.path("expiresAt").asText(null));
        }
        table.print(cli().out);
      }
      if (next != null) {
        cli().err.println("more records follow: add --cursor " + next + " (or use --all)");
      }
      return ExitCodes.OK;
    }
  }

  static String listPath(String map, String prefix, int limit, String cursor, boolean values) {
    StringBuilder path =
        new StringBuilder("/v1/maps/")
            .append(GridHttp.segment(map))
            .append("/entries?limit=")
            .append(limit);
    if (prefix != null && !prefix.isEmpty()) {
      path.append("&prefix=").append(GridHttp.query(prefix));
    }
    if (cursor != null) {
      path.append("&cursor=").append(GridHttp.query(cursor));
    }
    if (values) {
      path.append("&values=true");
    }
    return path.toString();
  }

  @Command(
      name = "patch",
      description = "Applies a JSON merge patch (RFC 7396) to a record's JSON value, atomically.")
  static final class Patch extends GridCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    @Parameters(
        index = "2",
        arity = "0..1",
        paramLabel = "PATCH",
        description = "The merge patch, such as {\"city\":\"Lyon\"}; - reads it from stdin.")
    String patch;

    @Option(names = "--file", paramLabel = "FILE", description = "Read the patch from FILE.")
    Path file;

    @Option(names = "--if-match", paramLabel = "VERSION", description = "Only at VERSION.")
    Long ifMatch;

    @Override
    int run() {
      byte[] body = Inputs.body(patch, file, cli().in, "merge patch");
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Content-Type", "application/merge-patch+json");
      conditions(headers, ifMatch);
      GridHttp.Response r =
          http().check(http().send("PATCH", GridHttp.entryPath(map, key), headers, body), 200);
      printWrite(cli(), r, "patched");
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "incr",
      description = {
        "Adds DELTA (default 1, may be negative) to a counter atomically and prints its new value.",
        "A missing counter starts at 0."
      })
  static final class Incr extends GridCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    @Parameters(index = "2", arity = "0..1", paramLabel = "DELTA", description = "Default 1.")
    Long delta;

    @Option(
        names = "--ttl",
        paramLabel = "TTL",
        description = "Time to live when it creates the counter.")
    String ttl;

    @Override
    int run() {
      Map<String, String> headers = new LinkedHashMap<>();
      byte[] body = null;
      if (delta != null) {
        headers.put("Content-Type", "application/json");
        body = ("{\"delta\":" + delta + "}").getBytes(StandardCharsets.UTF_8);
      }
      String path =
          GridHttp.entryPath(map, key)
              + ":increment"
              + (ttl == null ? "" : "?ttl=" + GridHttp.query(ttl));
      GridHttp.Response r = http().check(http().send("POST", path, headers, body), 200, 201);
      JsonNode reply = http().json(r);
      if (cli().json()) {
        cli().printJson(reply);
      } else {
        cli().out.println(reply.path("value").asText());
      }
      return ExitCodes.OK;
    }
  }

  /** If-Match for a version given on the command line. */
  static void conditions(Map<String, String> headers, Long ifMatch) {
    if (ifMatch != null) {
      if (ifMatch < 1) {
        throw CliException.usage("--if-match is a record version, 1 or more; was " + ifMatch);
      }
      headers.put("If-Match", "\"" + ifMatch + "\"");
    }
  }

  /** "created, version 3", or the node's {"map","key","version"} with --output json. */
  static void printWrite(Cli cli, GridHttp.Response r, String what) {
    JsonNode reply = cli.http().json(r);
    if (cli.json()) {
      cli.printJson(reply);
    } else {
      cli.out.println(what + ", version " + reply.path("version").asLong());
    }
  }

  static long version(GridHttp.Response r) {
    String etag = r.header("ETag").orElse("").replace("\"", "").replace("W/", "");
    try {
      return Long.parseLong(etag);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The value in the one of value, valueText or valueBase64 that suits its content type. */
  static void putValue(Cli cli, ObjectNode node, String contentType, byte[] value) {
    if (Values.isJson(contentType)) {
      try {
        node.set("value", cli.mapper.readTree(value));
        return;
      } catch (IOException e) {
        // Stored under a JSON type yet not JSON (it cannot happen through the API): base64.
      }
    } else if (Values.isText(contentType)) {
      node.put("valueText", new String(value, Values.charset(contentType)));
      return;
    }
    node.put("valueBase64", Base64.getEncoder().encodeToString(value));
  }
}
