package io.actorgrid.grid.internal.rocks;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store on a real full disk (a small tmpfs, filled with a file): a write fails, reads go on,
 * and once the file is deleted the store is reopened by itself, writes are accepted again and every
 * acknowledged event is there, also in a store opened afresh. A reader runs throughout, across the
 * reopen. Mounting needs root; without it the test is skipped.
 */
class RocksFullDiskTest {
  @TempDir Path tmp;

  private static final int VALUE_BYTES = 4096;
  private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(2);

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void writesComeBackAfterAFullDiskWithEveryAcknowledgedEvent() throws Exception {
    // The native library stays off the small disk.
    RocksNative.load(tmp.resolve("native"));
    Path disk = Files.createDirectories(tmp.resolve("disk"));
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", disk.toString()) == 0,
        "mounting a tmpfs needs root");
    try {
      fullDisk(disk.resolve("rocksdb"));
    } finally {
      run("umount", disk.toString());
    }
  }

  private void fullDisk(Path dir) throws Exception {
    RocksStore store = RocksStore.open(dir, RocksSettings.Durability.PROCESS, 256L << 20);
    RocksWriter writer = new RocksWriter(store, new ChangeNotifier(), 64);
    List<byte[]> acknowledged = new ArrayList<>();
    AtomicBoolean reading = new AtomicBoolean(true);
    AtomicLong reads = new AtomicLong();
    AtomicReference<Throwable> readerFailure = new AtomicReference<>();
    IllegalStateException closeFailure = null;
    Thread reader = new Thread(() -> readUntilStopped(store, reading, reads, readerFailure));
    try {
      for (int i = 1; i <= 300; i++) {
        append(writer, "a", i);
        acknowledged.add(value("a", i));
      }
      reader.start();
      Path filler = dir.resolveSibling("filler");
      fill(filler);

      // Appends until one fails: the log and memtable take a few MiB before RocksDB writes files.
      ExecutionException failure = null;
      for (int i = acknowledged.size() + 1; failure == null && i < 20_000; i++) {
        try {
          append(writer, "a", i);
          acknowledged.add(value("a", i));
        } catch (ExecutionException e) {
          failure = e;
        }
      }
      assertTrue(failure != null, "writes kept being acknowledged on a full disk");
      // More writes on the full disk, as a busy node makes them: all refused.
      for (int i = 0; i < 50; i++) {
        try {
          append(writer, "a", acknowledged.size() + 1);
          fail("a write was acknowledged on a full disk");
        } catch (ExecutionException e) {
          // Refused, as it must be.
        }
      }
      assertTrue(store.outOfSpace(), "a write failed, not for want of space: " + failure);
      // The reopener looks once a second; on a full disk it leaves the store open for reads.
      Thread.sleep(2500);
      assertReadable(store, "a", acknowledged, "on the full disk");

      Files.delete(filler);
      long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
      String last = "";
      while (true) {
        try {
          append(writer, "after", 1);
          break;
        } catch (ExecutionException e) {
          last = e.getCause().toString();
        }
        if (System.nanoTime() > deadline) {
          fail("no write accepted within " + RECOVERY_TIMEOUT + " after space returned: " + last);
        }
        Thread.sleep(100);
      }
      List<byte[]> after = new ArrayList<>(List.of(value("after", 1)));
      for (int i = 2; i <= 20; i++) {
        append(writer, "after", i);
        after.add(value("after", i));
      }
      assertFalse(store.outOfSpace());
      assertReadable(store, "a", acknowledged, "after space returned");
      assertReadable(store, "after", after, "after space returned");
    } finally {
      reading.set(false);
      reader.join();
      writer.stop();
      try {
        store.close();
      } catch (IllegalStateException e) {
        // A store that is still failing does not close cleanly: said below, unless a check above
        // has failed already (its reason is the one to report).
        closeFailure = e;
      }
    }
    assertEquals(null, closeFailure, "the store did not close cleanly");
    assertEquals(null, readerFailure.get(), "a read failed otherwise than as closed");
    assertTrue(reads.get() > 0);

    try (RocksStore reopened = RocksStore.open(dir, RocksSettings.Durability.PROCESS, 256L << 20)) {
      assertReadable(reopened, "a", acknowledged, "in a store opened afresh");
    }
  }

  /**
   * Reads the first events of "a" until told to stop: a read may fail while the store is reopened,
   * but only as the store's own IllegalStateException, never by touching a freed handle.
   */
  private static void readUntilStopped(
      RocksStore store,
      AtomicBoolean reading,
      AtomicLong reads,
      AtomicReference<Throwable> failed) {
    while (reading.get()) {
      try {
        store.events("a", 1, 10, 10, (sequenceNr, value) -> true);
        store.highestSequenceNr("a");
        reads.incrementAndGet();
      } catch (IllegalStateException e) {
        // Being reopened: a read fails cleanly.
      } catch (Throwable e) {
        failed.compareAndSet(null, e);
        return;
      }
    }
  }

  private static void append(RocksWriter writer, String id, long sequenceNr) throws Exception {
    writer
        .append(List.of(new RocksWriter.Events(id, sequenceNr, List.of(value(id, sequenceNr)))))
        .get(30, TimeUnit.SECONDS);
  }

  private static void assertReadable(
      RocksStore store, String id, List<byte[]> values, String when) {
    List<byte[]> read = new ArrayList<>();
    store.events(id, 1, Long.MAX_VALUE, Long.MAX_VALUE, (sequenceNr, value) -> read.add(value));
    assertEquals(values.size(), read.size(), "events of " + id + " read back " + when);
    for (int i = 0; i < values.size(); i++) {
      assertArrayEquals(values.get(i), read.get(i), "event " + (i + 1) + " of " + id + " " + when);
    }
  }

  private static byte[] value(String id, long sequenceNr) {
    byte[] value = new byte[VALUE_BYTES];
    Arrays.fill(value, (byte) (sequenceNr % 251));
    byte[] name = (id + "-" + sequenceNr).getBytes(UTF_8);
    System.arraycopy(name, 0, value, 0, name.length);
    return value;
  }

  /** Writes {@code file} until not one more byte fits. */
  private static void fill(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      byte[] chunk = new byte[1 << 20];
      while (true) {
        out.write(chunk);
      }
    } catch (IOException full) {
      // Then smaller pieces, below.
    }
    try (OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
      while (true) {
        out.write(new byte[512]);
        out.flush();
      }
    } catch (IOException full) {
      // Full.
    }
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    return process.waitFor();
  }
}
