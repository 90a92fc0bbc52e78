package io.actorgrid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code POST /v1/maps/{map}:batch} with a body from a file or stdin. */
@Command(
    name = "batch",
    description = {
      "Sends a batch: FILE (- for stdin) as the body of POST /v1/maps/MAP:batch.",
      "For example",
      "{\"items\":[{\"op\":\"put\",\"key\":\"k\",\"value\":{\"n\":1}},{\"op\":\"get\",\"key\":\"k\"}]},",
      "and prints one line per item. Exits 6 when an item failed (a get of a missing key too)."
    })
final class BatchCommand extends GridCommand {
  @Parameters(index = "0", paramLabel = "MAP")
  String map;

  @Parameters(index = "1", paramLabel = "FILE", description = "The batch; - reads stdin.")
  String file;

  @Option(
      names = "--idempotency-key",
      paramLabel = "KEY",
      description = "Sent as Idempotency-Key: a retried batch writes nothing twice.")
  String idempotencyKey;

  @Override
  int run() throws Exception {
    byte[] body;
    try (var in = Inputs.open(file, cli().in)) {
      body = in.readAllBytes();
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    if (idempotencyKey != null) {
      headers.put("Idempotency-Key", idempotencyKey);
    }
    String path = "/v1/maps/" + GridHttp.segment(map) + ":batch";
    JsonNode reply = http().json(http().check(http().send("POST", path, headers, body), 200));
    boolean failed = false;
    Table table = new Table("#", "KEY", "STATUS", "VERSION", "DETAIL");
    int i = 0;
    for (JsonNode item : reply.path("items")) {
      int status = item.path("status").asInt();
      failed |= status >= 400;
      String detail = item.path("detail").asText(null);
      if (detail == null && item.has("contentType")) {
        detail = item.path("contentType").asText();
      }
      table.row(
          i++,
          item.path("key").asText(),
          status,
          item.has("version") ? item.path("version").asLong() : null,
          detail);
    }
    if (cli().json()) {
      cli().printJson(reply);
    } else {
      table.print(cli().out);
    }
    return failed ? ExitCodes.PARTIAL : ExitCodes.OK;
  }
}
