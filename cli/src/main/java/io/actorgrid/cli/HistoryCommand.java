package io.actorgrid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The history of one record: its changes, newest first. */
@Command(
    name = "history",
    description = {
      "Lists a record's changes newest first (put, patch, increment, delete, expire, clear), one"
          + " page (or every page with --all).",
      "Exit 3 when the key has no history. With --output json: {map, key, items, cursor,"
          + " truncated}."
    })
final class HistoryCommand extends GridCommand {
  @Parameters(index = "0", paramLabel = "MAP")
  String map;

  @Parameters(index = "1", paramLabel = "KEY")
  String key;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "Changes per page, 1-1000; default 100 (1000 with --all).")
  Integer limit;

  @Option(names = "--cursor", paramLabel = "C", description = "Continue with older changes.")
  String cursor;

  @Option(names = "--all", description = "Page through the whole history.")
  boolean all;

  @Option(names = "--values", description = "Include the values (with --output json).")
  boolean values;

  @Override
  int run() {
    ArrayNode items = cli().mapper.createArrayNode();
    String next = cursor;
    boolean truncated = false;
    int pageSize = limit != null ? limit : all ? 1000 : 100;
    do {
      StringBuilder path =
          new StringBuilder(GridHttp.entryPath(map, key))
              .append("/history?limit=")
              .append(pageSize);
      if (next != null) {
        path.append("&cursor=").append(GridHttp.query(next));
      }
      if (values) {
        path.append("&values=true");
      }
      JsonNode page = http().json(http().check(http().get(path.toString()), 200));
      page.path("items").forEach(items::add);
      truncated |= page.path("truncated").asBoolean();
      next = page.path("cursor").isTextual() ? page.path("cursor").textValue() : null;
    } while (all && next != null);
    if (cli().json()) {
      ObjectNode node = cli().mapper.createObjectNode();
      node.put("map", map);
      node.put("key", key);
      node.set("items", items);
      node.put("cursor", next);
      node.put("truncated", truncated);
      cli().printJson(node);
    } else {
      Table table = new Table("VERSION", "OP", "TIME", "CONTENT-TYPE");
      for (JsonNode item : items) {
        table.row(
            item.path("version").asLong(),
            item.path("op").asText(),
            item.path("time").asText(),
            item.path("contentType").asText(null));
      }
      table.print(cli().out);
    }
    if (next != null) {
      cli().err.println("older changes follow: add --cursor " + next + " (or use --all)");
    } else if (truncated) {
      cli().err.println("history retention removed older changes");
    }
    return ExitCodes.OK;
  }
}
