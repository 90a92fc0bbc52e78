package io.actorgrid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** The commands about nodes rather than data: cluster membership and health. */
final class ClusterCommands {
  private ClusterCommands() {}

  @Command(
      name = "cluster",
      description = "Prints the cluster's members and the partitions each one hosts.")
  static final class Cluster extends GridCommand {
    @Override
    int run() {
      JsonNode reply = http().json(http().check(http().get("/v1/cluster"), 200));
      if (cli().json()) {
        cli().printJson(reply);
        return ExitCodes.OK;
      }
      String self = reply.path("self").asText(null);
      String leader = reply.path("leader").asText(null);
      Map<String, List<Integer>> partitions = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> host : reply.path("partitions").properties()) {
        List<Integer> ids = new ArrayList<>();
        host.getValue().forEach(id -> ids.add(id.asInt()));
        partitions.put(host.getKey(), ids);
      }
      Table members = new Table("MEMBER", "STATUS", "REACHABLE", "ROLES", "PARTITIONS", "");
      for (JsonNode member : reply.path("members")) {
        String address = member.path("address").asText();
        List<String> roles = new ArrayList<>();
        member.path("roles").forEach(role -> roles.add(role.asText()));
        List<Integer> hosted = partitions.remove(address);
        List<String> notes = new ArrayList<>();
        if (address.equals(self)) {
          notes.add("self");
        }
        if (address.equals(leader)) {
          notes.add("leader");
        }
        members.row(
            address,
            member.path("status").asText(),
            member.path("reachable").asBoolean() ? "yes" : "NO",
            roles.isEmpty() ? "-" : String.join(",", roles),
            hosted == null ? "0" : hosted.size() + " " + ranges(hosted),
            String.join(",", notes));
      }
      // Partitions hosted where no member is listed (a node leaving, or one being downed).
      partitions.forEach(
          (address, hosted) ->
              members.row(address, "?", "?", "-", hosted.size() + " " + ranges(hosted), ""));
      members.print(cli().out);
      return ExitCodes.OK;
    }
  }

  /** 0-3,7,9-10 for [0,1,2,3,7,9,10]. */
  static String ranges(List<Integer> ids) {
    List<Integer> sorted = ids.stream().sorted().toList();
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < sorted.size()) {
      int j = i;
      while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
        j++;
      }
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(sorted.get(i));
      if (j > i) {
        out.append('-').append(sorted.get(j));
      }
      i = j + 1;
    }
    return "(" + out + ")";
  }

  @Command(
      name = "health",
      description = {
        "Asks GET /health/live and GET /health/ready.",
        "Exits 0 when the node is ready, 5 when it is not (yet) or cannot be reached."
      })
  static final class Health extends GridCommand {
    @Override
    int run() {
      GridHttp.Response live = http().get("/health/live");
      GridHttp.Response ready = http().get("/health/ready");
      boolean isLive = live.status() == 200;
      boolean isReady = ready.status() == 200;
      String liveDetail = isLive ? null : http().problem(live);
      String readyDetail = isReady ? null : http().problem(ready);
      if (cli().json()) {
        ObjectNode node = cli().mapper.createObjectNode();
        node.put("live", isLive);
        node.put("ready", isReady);
        if (liveDetail != null) {
          node.put("liveDetail", liveDetail);
        }
        if (readyDetail != null) {
          node.put("readyDetail", readyDetail);
        }
        cli().printJson(node);
      } else {
        cli().out.println("live:  " + (isLive ? "yes" : "no (" + liveDetail + ")"));
        cli().out.println("ready: " + (isReady ? "yes" : "no (" + readyDetail + ")"));
      }
      return isLive && isReady ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
    }
  }
}
