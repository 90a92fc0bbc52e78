package io.actorgrid.grid.internal;

import io.actorgrid.grid.BatchItem;
import io.actorgrid.grid.BatchTooLargeException;
import io.actorgrid.grid.GridException;
import io.actorgrid.grid.InvalidRequestException;
import io.actorgrid.grid.ListQuery;
import io.actorgrid.grid.MapSettings;
import io.actorgrid.grid.Precondition;
import io.actorgrid.grid.ValueTooLargeException;
import io.actorgrid.grid.WriteOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The requests of one map before they leave the node: the checks of keys, values, TTLs, batch
 * items, list queries and settings against the node's limits (and the map's own value limit), and
 * the {@link WriteOp}s that {@link io.actorgrid.grid.GridMap} sends to the partitions. A failed
 * check throws the {@link GridException} that the caller's stage completes with; nothing here talks
 * to the cluster.
 */
public final class MapRequests {
  private final String map;
  private final GridSettings settings;

  public MapRequests(String map, GridSettings settings) {
    this.map = map;
    this.settings = settings;
  }

  /** The checks of a put that need no map settings. */
  public void checkPut(String key, byte[] value, Duration ttl) {
    checkKey(key);
    if (value == null) {
      throw new InvalidRequestException("the value is missing");
    }
    checkNodeValueLimit(value.length);
    checkTtl(ttl);
  }

  /** The put, once the value passes the map's own limit. */
  public WriteOp.Put put(
      String key, byte[] value, String contentType, WriteOptions options, MapConfig config) {
    checkMapValueLimit(config, value.length);
    return putOp(
        key,
        value,
        contentType,
        expected(options.precondition()),
        options.ttl(),
        config,
        options.idempotencyKey(),
        options.principal());
  }

  public WriteOp.Delete delete(String key, WriteOptions options) {
    return deleteOp(
        key, expected(options.precondition()), options.idempotencyKey(), options.principal());
  }

  /** The checks of a merge patch that need no map settings. */
  public void checkPatch(String key, byte[] mergePatch) {
    checkKey(key);
    if (mergePatch == null || JsonValues.parse(mergePatch) == null) {
      throw new InvalidRequestException(
          "the merge patch is not one JSON value (RFC 7396); send a JSON object such as"
              + " {\"name\":\"Alice\"}, with null for members to remove");
    }
    checkNodeValueLimit(mergePatch.length);
  }

  public WriteOp.Patch patch(
      String key, byte[] mergePatch, WriteOptions options, MapConfig config) {
    long expected = expected(options.precondition());
    return new WriteOp.Patch(
        map,
        key,
        mergePatch,
        expected,
        valueLimit(config),
        WriteOp.Request.of(options.idempotencyKey(), "patch", map, key, mergePatch, expected),
        options.principal());
  }

  /** The checks of an increment that need no map settings. */
  public void checkIncrement(String key, WriteOptions options) {
    checkKey(key);
    checkTtl(options.ttl());
    if (options.precondition() != Precondition.none()) {
      throw new InvalidRequestException(
          "an increment takes no precondition: it applies to the current value");
    }
  }

  public WriteOp.Increment increment(
      String key, long delta, WriteOptions options, MapConfig config) {
    long ttl = ttlMillis(options.ttl(), config);
    return new WriteOp.Increment(
        map,
        key,
        delta,
        ttl,
        WriteOp.Request.of(options.idempotencyKey(), "increment", map, key, delta, options.ttl()),
        options.principal());
  }

  /**
   * The checks of a batch that need no map settings: it has items, then {@code idempotencyKeyCheck}
   * passes, then it has no more items than the node allows, then each item's own checks (whose
   * failure names the item's position).
   */
  public void checkBatch(List<BatchItem> items, Runnable idempotencyKeyCheck) {
    if (items == null || items.isEmpty()) {
      throw new InvalidRequestException("the batch has no items; send 1 or more");
    }
    idempotencyKeyCheck.run();
    if (items.size() > settings.maxBatchItems()) {
      throw new BatchTooLargeException(items.size(), settings.maxBatchItems());
    }
    for (int i = 0; i < items.size(); i++) {
      BatchItem item = items.get(i);
      try {
        checkKey(item.key());
        if (item.kind() == BatchItem.Kind.PUT) {
          if (item.value() == null) {
            throw new InvalidRequestException("a put needs a value");
          }
          checkNodeValueLimit(item.value().length);
          checkTtl(item.ttl());
        }
      } catch (GridException e) {
        throw itemFailure(i, e);
      }
    }
  }

  /**
   * One operation per batch item, in order; a write item's idempotency key is the batch's key and
   * its position.
   */
  public List<WriteOp> batch(
      List<BatchItem> items, String idempotencyKey, String principal, MapConfig config) {
    List<WriteOp> ops = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      BatchItem item = items.get(i);
      String itemKey = idempotencyKey == null ? null : idempotencyKey + "#" + i;
      long expected = expected(item.precondition());
      switch (item.kind()) {
        case GET -> ops.add(new WriteOp.Read(map, item.key()));
        case DELETE -> ops.add(deleteOp(item.key(), expected, itemKey, principal));
        case PUT -> {
          try {
            checkMapValueLimit(config, item.value().length);
          } catch (GridException e) {
            throw itemFailure(i, e);
          }
          ops.add(
              putOp(
                  item.key(),
                  item.value(),
                  item.contentType(),
                  expected,
                  item.ttl(),
                  config,
                  itemKey,
                  principal));
        }
      }
    }
    return ops;
  }

  /** An invalid batch item's failure, with its position and the same status. */
  private static GridException itemFailure(int index, GridException e) {
    String message = "items[" + index + "]: " + e.getMessage();
    return e instanceof ValueTooLargeException tooLarge
        ? new ValueTooLargeException(message, tooLarge.size(), tooLarge.limit())
        : new InvalidRequestException(message);
  }

  /** Checks the query's limit and prefix; the key its cursor resumes after, null from the first. */
  public String checkList(ListQuery query) {
    if (query.limit() < 1 || query.limit() > settings.maxListLimit()) {
      throw new InvalidRequestException(
          "limit must be between 1 and " + settings.maxListLimit() + ", was " + query.limit());
    }
    if (query.prefix() == null
        || query.prefix().getBytes(StandardCharsets.UTF_8).length > settings.maxKeyBytes()) {
      throw new InvalidRequestException(
          "prefix must be at most " + settings.maxKeyBytes() + " bytes of UTF-8");
    }
    return query.cursor() == null ? null : ListPages.keyOf(query.cursor());
  }

  public void checkSettings(MapSettings mapSettings) {
    if (mapSettings.maxValueBytes() > settings.maxValueBytes()) {
      throw new InvalidRequestException(
          "maxValueBytes "
              + mapSettings.maxValueBytes()
              + " exceeds the node's limit of "
              + settings.maxValueBytes()
              + " bytes (actorgrid.limits.max-value-bytes)");
    }
    checkTtl(mapSettings.defaultTtl());
  }

  public WriteOp.Configure configure(MapSettings mapSettings, Precondition precondition) {
    return new WriteOp.Configure(
        map,
        mapSettings.defaultTtl() == null ? 0 : mapSettings.defaultTtl().toMillis(),
        mapSettings.maxValueBytes(),
        false,
        expected(precondition),
        mapSettings.historyRetention() == null ? 0 : mapSettings.historyRetention().toMillis());
  }

  public void checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new InvalidRequestException("the key is empty; keys have 1 or more characters");
    }
    int bytes = key.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > settings.maxKeyBytes()) {
      throw new InvalidRequestException(
          "the key has "
              + bytes
              + " bytes of UTF-8; keys may have at most "
              + settings.maxKeyBytes()
              + " (actorgrid.limits.max-key-bytes)");
    }
  }

  private void checkNodeValueLimit(long size) {
    if (size > settings.maxValueBytes()) {
      throw new ValueTooLargeException(size, settings.maxValueBytes());
    }
  }

  private void checkMapValueLimit(MapConfig config, long size) {
    if (config.maxValueBytes() > 0 && size > config.maxValueBytes()) {
      throw new ValueTooLargeException(
          "the value has "
              + size
              + " bytes; values of map '"
              + map
              + "' may have at most "
              + config.maxValueBytes()
              + " bytes (its maxValueBytes setting). Store a smaller value or change the setting.",
          size,
          config.maxValueBytes());
    }
  }

  private long valueLimit(MapConfig config) {
    return config.maxValueBytes() > 0 ? config.maxValueBytes() : settings.maxValueBytes();
  }

  private void checkTtl(Duration ttl) {
    if (ttl == null) {
      return;
    }
    // Compared before toMillis, which overflows for absurd durations.
    if (ttl.compareTo(settings.maxTtl()) > 0) {
      throw new InvalidRequestException(
          "a time to live may be at most "
              + settings.maxTtl().toDays()
              + " days (actorgrid.limits.max-ttl), was "
              + ttl);
    }
    if (ttl.isNegative() || ttl.toMillis() < 1) {
      throw new InvalidRequestException("a time to live must be at least 1 ms, was " + ttl);
    }
  }

  /**
   * The put of a value; a null content type stores {@code application/octet-stream}. The
   * idempotency fingerprint is of the request as sent (its own TTL, not the map's default that TTL
   * resolves to), so a retry after a change of the map's settings still matches.
   */
  private WriteOp.Put putOp(
      String key,
      byte[] value,
      String contentType,
      long expected,
      Duration ttl,
      MapConfig config,
      String idempotencyKey,
      String principal) {
    String type = contentType == null ? "application/octet-stream" : contentType;
    return new WriteOp.Put(
        map,
        key,
        value,
        type,
        expected,
        ttlMillis(ttl, config),
        WriteOp.Request.of(idempotencyKey, "put", map, key, value, type, expected, ttl),
        principal);
  }

  private WriteOp.Delete deleteOp(
      String key, long expected, String idempotencyKey, String principal) {
    return new WriteOp.Delete(
        map,
        key,
        expected,
        WriteOp.Request.of(idempotencyKey, "delete", map, key, expected),
        principal);
  }

  private static long ttlMillis(Duration explicit, MapConfig config) {
    return explicit != null ? explicit.toMillis() : config.defaultTtlMillis();
  }

  /** The version a write expects under the precondition, or one of WriteOp's markers. */
  public static long expected(Precondition precondition) {
    if (precondition instanceof Precondition.IfVersion v) {
      return v.version();
    }
    if (precondition == Precondition.ifAbsent()) {
      return WriteOp.ABSENT;
    }
    if (precondition == Precondition.ifPresent()) {
      return WriteOp.EXISTS;
    }
    return WriteOp.ANY;
  }
}
