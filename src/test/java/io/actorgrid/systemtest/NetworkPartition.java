package io.actorgrid.systemtest;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts one node off from the others with nftables: every TCP packet to or from its cluster (Artery)
 * port on loopback is dropped, so its peers see it as unreachable and it sees them the same, while
 * its HTTP port still answers clients, as in a partition between data center racks. Packets are
 * dropped, not rejected: connections hang as they do when a network fails.
 *
 * <p>The rules live in a table of their own ({@value #TABLE}), which {@link #heal} deletes whole;
 * only packets of the given port match, so other programs on the machine are not touched. Needs
 * {@code nft} ({@code .ci/install-fault-tools}) and CAP_NET_ADMIN; {@link #available} says whether
 * both are there.
 */
final class NetworkPartition implements AutoCloseable {

  static final String TABLE = "actorgrid_faults";

  private boolean active;

  /** Whether {@code nft} runs here with the rights to change rules. */
  static boolean available() {
    try {
      nft("list", "tables");
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Drops every TCP packet to and from {@code port} on this machine until {@link #heal}. */
  void isolatePort(int port) throws IOException, InterruptedException {
    heal();
    rule("tcp", "dport", Integer.toString(port), "drop");
    rule("tcp", "sport", Integer.toString(port), "drop");
  }

  /**
   * Drops every TCP packet sent to {@code port} until {@link #heal}: whoever listens there receives
   * nothing new (its own connections to others, on other ports, still work).
   */
  void dropTo(int port) throws IOException, InterruptedException {
    rule("tcp", "dport", Integer.toString(port), "drop");
  }

  /**
   * Drops every TCP packet that a process of {@code cgroup} sends to any of {@code ports} until
   * {@link #heal}: that process can no longer reach those ports, while everything else on the
   * machine, and whatever is sent to it, still gets through.
   */
  void dropFrom(NodeCgroup cgroup, List<Integer> ports) throws IOException, InterruptedException {
    String set = "{ " + String.join(", ", ports.stream().map(String::valueOf).toList()) + " }";
    rule(
        "socket",
        "cgroupv2",
        "level",
        "1",
        "\"" + cgroup.nftPath() + "\"",
        "tcp",
        "dport",
        set,
        "drop");
  }

  private void rule(String... match) throws IOException, InterruptedException {
    if (!active) {
      nft("add", "table", "inet", TABLE);
      nft(
          ("add chain inet " + TABLE + " output { type filter hook output priority 0 ; }")
              .split(" "));
      active = true;
    }
    List<String> args = new ArrayList<>(List.of("add", "rule", "inet", TABLE, "output"));
    args.addAll(List.of(match));
    nft(args.toArray(String[]::new));
  }

  /** Removes the rules; a no-op when there are none. */
  void heal() throws IOException, InterruptedException {
    try {
      nft("delete", "table", "inet", TABLE);
    } catch (IOException noSuchTable) {
      // Nothing to remove.
    }
    active = false;
  }

  @Override
  public void close() {
    if (active) {
      try {
        heal();
      } catch (IOException e) {
        throw new IllegalStateException("could not remove nftables table " + TABLE, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void nft(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("nft");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output.trim());
    }
  }
}
