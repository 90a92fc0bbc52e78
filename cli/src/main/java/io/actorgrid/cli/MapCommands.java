package io.actorgrid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands on whole maps: their list, settings, clearing and dropping. */
final class MapCommands {
  private MapCommands() {}

  @Command(name = "maps", description = "Lists the maps that have records or settings.")
  static final class Maps extends GridCommand {
    @Override
    int run() {
      JsonNode reply = http().json(http().check(http().get("/v1/maps"), 200));
      if (cli().json()) {
        cli().printJson(reply);
        return ExitCodes.OK;
      }
      Table table = new Table("MAP", "ENTRIES", "DEFAULT-TTL", "MAX-VALUE-BYTES");
      for (JsonNode map : reply.path("maps")) {
        JsonNode settings = map.path("settings");
        table.row(
            map.path("name").asText(),
            map.path("entries").asLong(),
            settings.path("defaultTtl").asText(null),
            settings.has("maxValueBytes") ? settings.path("maxValueBytes").asLong() : null);
      }
      table.print(cli().out);
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "map",
      description = "A map's settings: get, set, clear (remove its records), drop (and settings).",
      subcommands = {Describe.class, Configure.class, Clear.class, Drop.class})
  static final class MapCommand {}

  @Command(name = "get", description = "Prints a map's record count and settings.")
  static final class Describe extends GridCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Override
    int run() {
      JsonNode reply = http().json(http().check(http().get(mapPath(map)), 200));
      if (cli().json()) {
        cli().printJson(reply);
        return ExitCodes.OK;
      }
      JsonNode settings = reply.path("settings");
      cli().out.println("map:              " + reply.path("name").asText());
      cli().out.println("entries:          " + reply.path("entries").asLong());
      cli().out.println("default TTL:      " + settings.path("defaultTtl").asText("none"));
      long max = settings.path("maxValueBytes").asLong(0);
      cli().out.println("max value bytes:  " + (max == 0 ? "the node's limit" : max));
      cli().out.println("settings version: " + reply.path("settingsVersion").asLong());
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "set",
      description = {
        "Creates or replaces a map's settings.",
        "A setting left out is reset: no default TTL, the node's value limit."
      })
  static final class Configure extends GridCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Option(
        names = "--default-ttl",
        paramLabel = "TTL",
        description = "Time to live of records written without one, such as 30m.")
    String defaultTtl;

    @Option(
        names = "--max-value-bytes",
        paramLabel = "N",
        description = "Largest value in this map; 0 for the node's limit.")
    Long maxValueBytes;

    @Option(
        names = "--if-match",
        paramLabel = "VERSION",
        description = "Only if the settings are at VERSION.")
    Long ifMatch;

    @Override
    int run() {
      if (maxValueBytes != null && maxValueBytes < 0) {
        throw CliException.usage("--max-value-bytes is 0 or more; was " + maxValueBytes);
      }
      ObjectNode body = cli().mapper.createObjectNode();
      if (defaultTtl != null) {
        body.put("defaultTtl", defaultTtl);
      }
      if (maxValueBytes != null) {
        body.put("maxValueBytes", maxValueBytes);
      }
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Content-Type", "application/json");
      EntryCommands.conditions(headers, ifMatch);
      GridHttp.Response r =
          http()
              .check(
                  http()
                      .send(
                          "PUT",
                          mapPath(map),
                          headers,
                          body.toString().getBytes(StandardCharsets.UTF_8)),
                  200,
                  201);
      JsonNode reply = http().json(r);
      if (cli().json()) {
        cli().printJson(reply);
      } else {
        cli()
            .out
            .println(
                (r.status() == 201 ? "created" : "replaced")
                    + " settings, version "
                    + reply.path("settingsVersion").asLong());
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "clear", description = "Removes every record of a map; keeps its settings.")
  static final class Clear extends GridCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Override
    int run() {
      JsonNode reply =
          http()
              .json(
                  http()
                      .check(
                          http()
                              .send(
                                  "POST",
                                  "/v1/maps/" + GridHttp.segment(map) + ":clear",
                                  Map.of(),
                                  null),
                          200));
      if (cli().json()) {
        cli().printJson(reply);
      } else {
        cli().out.println("removed " + reply.path("removed").asLong() + " records");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "drop", description = "Deletes a map: its records and its settings.")
  static final class Drop extends GridCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Override
    int run() {
      http().check(http().send("DELETE", mapPath(map), Map.of(), null), 204);
      if (cli().json()) {
        ObjectNode node = cli().mapper.createObjectNode();
        node.put("map", map).put("dropped", true);
        cli().printJson(node);
      } else {
        cli().out.println("dropped " + map);
      }
      return ExitCodes.OK;
    }
  }

  static String mapPath(String map) {
    return "/v1/maps/" + GridHttp.segment(map);
  }
}
