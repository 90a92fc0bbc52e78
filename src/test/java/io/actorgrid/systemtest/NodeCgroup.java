package io.actorgrid.systemtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A cgroup v2 directory of its own for one node process, so that nftables can match that node's
 * packets ({@code socket cgroupv2}) and no other process's: how the fault suite cuts one node off
 * from PostgreSQL, or only one direction of its cluster traffic, while every process shares
 * loopback. The node must start in it ({@link NodeProcess#CGROUP_PROCS}): a socket belongs to the
 * cgroup its process was in when it opened it.
 *
 * <p>Needs a mounted cgroup v2 hierarchy ({@code /sys/fs/cgroup} on a pure cgroup v2 system, {@code
 * /sys/fs/cgroup/unified} on a hybrid one) and the right to make directories in it (root).
 */
final class NodeCgroup implements AutoCloseable {

  /** Where nft resolves the paths of {@code socket cgroupv2} rules. */
  private static final Path NFT_ROOT = Path.of("/sys/fs/cgroup");

  private final Path dir;

  private NodeCgroup(Path dir) {
    this.dir = dir;
  }

  /** Makes (or reuses) the cgroup {@code name} directly under the cgroup v2 root. */
  static NodeCgroup create(String name) throws IOException {
    Path root = cgroup2Root();
    Path dir = root.resolve(name);
    Files.createDirectories(dir);
    return new NodeCgroup(dir);
  }

  /** The cgroup v2 mount point, from {@code /proc/mounts}. */
  static Path cgroup2Root() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
      String[] fields = line.split(" ");
      if (fields.length > 2 && fields[2].equals("cgroup2")) {
        return Path.of(fields[1]);
      }
    }
    throw new IOException("no cgroup v2 hierarchy is mounted (see /proc/mounts)");
  }

  /** Whether a cgroup v2 hierarchy is mounted and this process can make a cgroup in it. */
  static boolean available() {
    try (NodeCgroup probe = create("actorgrid-probe")) {
      return Files.exists(probe.procs());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The file a process writes its pid to to move into this cgroup. */
  Path procs() {
    return dir.resolve("cgroup.procs");
  }

  /** The node's environment entry that starts it in this cgroup. */
  java.util.Map<String, String> nodeEnv() {
    return java.util.Map.of(NodeProcess.CGROUP_PROCS, procs().toString());
  }

  /** The path nft takes in a {@code socket cgroupv2 level 1} match. */
  String nftPath() {
    return NFT_ROOT.relativize(dir).toString();
  }

  /** Removes the directory once no process is left in it; a no-op otherwise. */
  @Override
  public void close() {
    try {
      List<String> left = Files.readAllLines(procs());
      if (left.isEmpty()) {
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      // Left behind: an empty cgroup costs nothing and is reused by name.
    }
  }
}
