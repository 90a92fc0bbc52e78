package io.actorgrid.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Writes the records of an export file back, idempotently.
 *
 * <p>Every write carries an {@code Idempotency-Key} derived from what it writes, so running the
 * same import again (after a failure, or twice by mistake) replays the node's remembered answers
 * and changes nothing, versions included. Records without an expiry whose value is JSON in the form
 * the node keeps for batch values go in batches ({@code :batch}, the key derived from the whole
 * chunk, each item remembered under it and its position). Chunks depend only on the file, never on
 * the clock, so a rerun sends the same chunks under the same keys. Every other record is one {@code
 * PUT} with a key derived from its map, key, content type, value and expiry. A record that expires
 * carries its remaining time to live ({@code ?ttl=}); a rerun sends a shorter one, which the node
 * answers with 422 (the key was used for another request): that record was written by the earlier
 * run and is counted as unchanged. Records already expired are skipped.
 *
 * <p>Nodes remember idempotency keys for {@code actorgrid.idempotency.window} (1 h) and at most
 * {@code max-keys-per-partition} (10,000) per partition: a rerun after that writes the records
 * again, with the same values but new versions.
 */
@Command(
    name = "import",
    description = {
      "Writes the records of an export file (- for stdin) back, in batches where it can.",
      "Idempotent: a rerun (within the nodes' idempotency window, 1 h) writes nothing twice.",
      "Exits 6 when some records failed; stderr says which."
    })
final class ImportCommand extends GridCommand {
  private static final int RETRIES = 10;
  private static final int MAX_CHUNK_BYTES = 1024 * 1024;

  @Parameters(index = "0", paramLabel = "FILE", description = "NDJSON from export; - for stdin.")
  String file;

  @Option(
      names = "--map",
      paramLabel = "MAP",
      description = "Write every record to MAP instead of the map named in the file.")
  String targetMap;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "500",
      description = "Records per batch, 1-1000; default ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(
      names = "--parallel",
      paramLabel = "N",
      defaultValue = "4",
      description = "Requests in flight at once; default ${DEFAULT-VALUE}.")
  int parallel;

  private final AtomicLong written = new AtomicLong();
  private final AtomicLong unchanged = new AtomicLong();
  private final AtomicLong expired = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<CliException> fatal = new AtomicReference<>();

  /** One record of the file, ready to write. */
  private record Item(
      long line,
      String map,
      String key,
      String contentType,
      byte[] value,
      Instant expiresAt,
      boolean batchable,
      byte[] digest) {}

  @Override
  int run() throws Exception {
    if (batchSize < 1 || batchSize > 1000) {
      throw CliException.usage("--batch-size is 1 to 1000; was " + batchSize);
    }
    if (parallel < 1 || parallel > 64) {
      throw CliException.usage("--parallel is 1 to 64; was " + parallel);
    }
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    Semaphore inFlight = new Semaphore(parallel * 2);
    long records = 0;
    try (InputStream in = new BufferedInputStream(Inputs.open(file, cli().in), 1 << 16)) {
      List<Item> chunk = new ArrayList<>();
      int chunkBytes = 0;
      long lineNumber = 0;
      byte[] line;
      while ((line = readLine(in)) != null && fatal.get() == null) {
        lineNumber++;
        if (isBlank(line)) {
          continue;
        }
        Item item = parse(line, lineNumber);
        records++;
        if (item.expiresAt() != null && !item.expiresAt().isAfter(Instant.now())) {
          expired.incrementAndGet();
          continue;
        }
        if (!item.batchable()) {
          submit(pool, inFlight, () -> putOne(item));
          continue;
        }
        if (!chunk.isEmpty()
            && (chunk.size() >= batchSize
                || chunkBytes + item.value().length > MAX_CHUNK_BYTES
                || !chunk.get(0).map().equals(item.map()))) {
          List<Item> full = chunk;
          submit(pool, inFlight, () -> putBatch(full));
          chunk = new ArrayList<>();
          chunkBytes = 0;
        }
        chunk.add(item);
        chunkBytes += item.value().length;
      }
      if (!chunk.isEmpty() && fatal.get() == null) {
        List<Item> last = chunk;
        submit(pool, inFlight, () -> putBatch(last));
      }
    } finally {
      pool.shutdown();
      pool.awaitTermination(1, TimeUnit.DAYS);
    }
    if (fatal.get() != null) {
      throw fatal.get();
    }
    report(records);
    return failed.get() > 0 ? ExitCodes.PARTIAL : ExitCodes.OK;
  }

  private void report(long records) {
    if (cli().json()) {
      ObjectNode node = cli().mapper.createObjectNode();
      node.put("records", records);
      node.put("written", written.get());
      node.put("unchanged", unchanged.get());
      node.put("expired", expired.get());
      node.put("failed", failed.get());
      cli().printJson(node);
    } else {
      cli()
          .out
          .println(
              "imported "
                  + records
                  + " records: "
                  + (written.get() + unchanged.get())
                  + " stored (by this run or an earlier one of the same file), "
                  + expired.get()
                  + " expired, "
                  + failed.get()
                  + " failed");
    }
  }

  private void submit(ExecutorService pool, Semaphore inFlight, Runnable task)
      throws InterruptedException {
    inFlight.acquire();
    pool.execute(
        () -> {
          try {
            if (fatal.get() == null) {
              task.run();
            }
          } catch (CliException e) {
            fatal.compareAndSet(null, e);
          } catch (RuntimeException e) {
            fatal.compareAndSet(null, new CliException(ExitCodes.ERROR, e.toString()));
          } finally {
            inFlight.release();
          }
        });
  }

  // ---------------------------------------------------------------------------------------------
  // Reading the file

  private Item parse(byte[] line, long number) {
    RawJson.Fields fields;
    try (JsonParser parser = cli().mapper.getFactory().createParser(line)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      fields = RawJson.readObject(parser, line);
      if (parser.nextToken() != null) {
        throw new IOException("more than one JSON value on the line");
      }
    } catch (IOException e) {
      throw CliException.usage(
          where(number)
              + "is not an export record ("
              + message(e)
              + "); expected {\"map\","
              + " \"key\", \"contentType\", \"value\" | \"valueText\" | \"valueBase64\"}");
    }
    String map = targetMap != null ? targetMap : fields.get("map");
    if (map == null) {
      throw CliException.usage(where(number) + "has no \"map\"; name the map with --map");
    }
    String key = fields.get("key");
    if (key == null) {
      throw CliException.usage(where(number) + "has no \"key\"");
    }
    String contentType = fields.get("contentType");
    byte[] value;
    boolean batchable = false;
    int forms =
        (fields.value() != null ? 1 : 0)
            + (fields.get("valueText") != null ? 1 : 0)
            + (fields.get("valueBase64") != null ? 1 : 0);
    if (forms != 1) {
      throw CliException.usage(
          where(number) + "needs exactly one of \"value\", \"valueText\" and \"valueBase64\"");
    }
    if (fields.value() != null) {
      value = fields.value();
      if (contentType == null) {
        contentType = "application/json";
      }
      batchable =
          contentType.equals("application/json")
              && fields.get("expiresAt") == null
              && keptAsIs(value);
    } else if (fields.get("valueText") != null) {
      if (contentType == null) {
        contentType = "text/plain; charset=UTF-8";
      }
      value = fields.get("valueText").getBytes(Values.charset(contentType));
    } else {
      if (contentType == null) {
        contentType = "application/octet-stream";
      }
      try {
        value = Base64.getDecoder().decode(fields.get("valueBase64"));
      } catch (IllegalArgumentException e) {
        throw CliException.usage(where(number) + "has a valueBase64 that is not base64");
      }
    }
    Instant expiresAt = null;
    if (fields.get("expiresAt") != null) {
      try {
        expiresAt = Instant.parse(fields.get("expiresAt"));
      } catch (DateTimeParseException e) {
        throw CliException.usage(
            where(number) + "has an expiresAt that is not an instant such as 2030-01-01T00:00:00Z");
      }
    }
    byte[] digest =
        digest(
            map.getBytes(StandardCharsets.UTF_8),
            key.getBytes(StandardCharsets.UTF_8),
            contentType.getBytes(StandardCharsets.UTF_8),
            value,
            (expiresAt == null ? "" : expiresAt.toString()).getBytes(StandardCharsets.UTF_8));
    return new Item(number, map, key, contentType, value, expiresAt, batchable, digest);
  }

  /**
   * Whether a JSON value survives a batch unchanged: the node stores a batch item's value as it
   * writes the parsed value back, compact. Anything else (spacing, other number forms) is put as
   * is, one request per record.
   */
  private boolean keptAsIs(byte[] value) {
    try {
      JsonNode node = cli().mapper.readTree(value);
      return node != null && Arrays.equals(node.toString().getBytes(StandardCharsets.UTF_8), value);
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        return line.toByteArray();
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toByteArray();
  }

  private static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (!RawJson.isSpace(b)) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  private void putOne(Item item) {
    putOne(item, "ag-import-" + encode(item.digest()));
  }

  private void putOne(Item item, String idempotencyKey) {
    if (item.key().isEmpty()) {
      outcome(item, 400, "400 Invalid request: the key is empty; a key is 1 to 1024 bytes");
      return;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", item.contentType());
    headers.put("Idempotency-Key", idempotencyKey);
    String path = GridHttp.entryPath(item.map(), item.key());
    for (int attempt = 1; ; attempt++) {
      String ttl = ttl(item);
      if (ttl == null && item.expiresAt() != null) {
        expired.incrementAndGet();
        return;
      }
      GridHttp.Response r =
          http().send("PUT", ttl == null ? path : path + "?ttl=" + ttl, headers, item.value());
      if (r.status() == 503 && attempt < RETRIES) {
        sleep();
        continue;
      }
      outcome(item, r.status(), r.status() < 300 ? null : http().problem(r));
      return;
    }
  }

  private void putBatch(List<Item> chunk) {
    byte[][] digests = new byte[chunk.size()][];
    for (int i = 0; i < chunk.size(); i++) {
      digests[i] = chunk.get(i).digest();
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    String batchKey = "ag-import-batch-" + encode(digest(digests));
    headers.put("Idempotency-Key", batchKey);
    String path = "/v1/maps/" + GridHttp.segment(chunk.get(0).map()) + ":batch";
    for (int attempt = 1; ; attempt++) {
      GridHttp.Response r = http().send("POST", path, headers, batchBody(chunk));
      if (r.status() == 503 && attempt < RETRIES) {
        sleep();
        continue;
      }
      if (r.status() != 200) {
        // The whole batch was refused (a value over the map's limit, say): one request per record
        // tells which. Each goes under the key its batch item has (the batch's key and its
        // position): the node remembers a put by that key alike whether it came alone or in a
        // batch, so a rerun that gets the batch through replays these instead of writing again.
        for (int i = 0; i < chunk.size(); i++) {
          putOne(chunk.get(i), batchKey + "#" + i);
        }
        return;
      }
      JsonNode items = http().json(r).path("items");
      boolean retry = false;
      for (int i = 0; i < chunk.size(); i++) {
        retry |= items.path(i).path("status").asInt() == 503;
      }
      if (retry && attempt < RETRIES) {
        // Items of a partition that did not answer: the same batch under the same key again;
        // the items already written answer as before.
        sleep();
        continue;
      }
      for (int i = 0; i < chunk.size(); i++) {
        JsonNode result = items.path(i);
        int status = result.path("status").asInt();
        outcome(
            chunk.get(i),
            status,
            result.path("title").asText("") + ": " + result.path("detail").asText(""));
      }
      return;
    }
  }

  private byte[] batchBody(List<Item> chunk) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try (JsonGenerator g = cli().mapper.getFactory().createGenerator(body)) {
      g.writeStartObject();
      g.writeArrayFieldStart("items");
      for (Item item : chunk) {
        g.writeStartObject();
        g.writeStringField("op", "put");
        g.writeStringField("key", item.key());
        g.writeFieldName("value");
        g.writeRawValue(new String(item.value(), StandardCharsets.UTF_8));
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "cannot write a batch: " + e.getMessage());
    }
    return body.toByteArray();
  }

  private void outcome(Item item, int status, String problem) {
    if (status == 200 || status == 201) {
      written.incrementAndGet();
    } else if (status == 422 && item.expiresAt() != null) {
      unchanged.incrementAndGet();
    } else {
      failed.incrementAndGet();
      synchronized (cli().err) {
        cli()
            .err
            .println(
                "actorgrid-cli: line "
                    + item.line()
                    + ", map "
                    + item.map()
                    + ", key '"
                    + item.key()
                    + "' failed: "
                    + (problem == null ? status : problem));
      }
    }
  }

  /** The remaining time to live, such as 86399512ms; null when there is none left. */
  private static String ttl(Item item) {
    if (item.expiresAt() == null) {
      return null;
    }
    long ms = Duration.between(Instant.now(), item.expiresAt()).toMillis();
    return ms < 1 ? null : ms + "ms";
  }

  private static void sleep() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.ERROR, "interrupted");
    }
  }

  private static byte[] digest(byte[]... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (byte[] part : parts) {
        sha.update(Integer.toString(part.length).getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) ':');
        sha.update(part);
      }
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(byte[] digest) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
  }

  private static String where(long line) {
    return "line " + line + " ";
  }

  private static String message(IOException e) {
    return e instanceof com.fasterxml.jackson.core.JsonProcessingException j
        ? j.getOriginalMessage()
        : e.getMessage();
  }
}
