package io.actorgrid.http.auth;

import java.util.List;

/**
 * Which token a request needs, from its method and path alone: decided before the request touches
 * the grid, so that a refusal (401, 403) says nothing about whether a map or key exists.
 *
 * <table>
 *   <caption>What each route needs</caption>
 *   <tr><th>route</th><th>needs</th></tr>
 *   <tr><td>{@code /health/*}, {@code GET /v1/openapi.json}</td><td>nothing</td></tr>
 *   <tr><td>GET/HEAD under {@code /v1/maps/{map}} (entry, listing, history, past versions,
 *       changes, the map's description)</td><td>read on the map</td></tr>
 *   <tr><td>PUT, PATCH, DELETE, POST of entries ({@code :increment}), {@code :batch}</td>
 *       <td>write on the map</td></tr>
 *   <tr><td>PUT/DELETE {@code /v1/maps/{map}} (settings, drop), {@code :clear}</td>
 *       <td>admin on the map</td></tr>
 *   <tr><td>{@code GET /v1/changes}</td><td>read on {@code *}</td></tr>
 *   <tr><td>{@code /v1/auth/**}, cluster operations other than {@code GET /v1/cluster}</td>
 *       <td>admin on {@code *}</td></tr>
 *   <tr><td>{@code GET /v1/maps} (lists the maps the token may read), {@code GET /v1/cluster},
 *       {@code /metrics}, and any other path</td><td>any valid token</td></tr>
 * </table>
 *
 * <p>A path with an empty segment ({@code //}) matches no route; it needs any valid token.
 */
public final class AccessRules {
  private AccessRules() {}

  /** What a request needs. */
  public sealed interface Requirement {}

  /** Nothing: the route is open. */
  public record Open() implements Requirement {}

  /** Any valid token. */
  public record AnyToken() implements Requirement {}

  /** At least {@code access} on {@code map}. */
  public record OnMap(String map, Access access) implements Requirement {}

  /** At least {@code access} on every map: a grant on {@code *}. */
  public record OnEveryMap(Access access) implements Requirement {}

  private static final Requirement OPEN = new Open();
  private static final Requirement ANY_TOKEN = new AnyToken();

  /**
   * @param method the request's method, upper case
   * @param rawPath the path as sent (percent-encoded), to spot empty segments
   * @param segments the path's decoded segments, without empty ones
   */
  public static Requirement of(String method, String rawPath, List<String> segments) {
    if (rawPath.contains("//")) {
      return ANY_TOKEN;
    }
    boolean reads = method.equals("GET") || method.equals("HEAD");
    int n = segments.size();
    String first = n > 0 ? segments.get(0) : "";
    if (first.equals("health")) {
      return OPEN;
    }
    if (!first.equals("v1") || n < 2) {
      return ANY_TOKEN;
    }
    String second = segments.get(1);
    switch (second) {
      case "openapi.json":
        return n == 2 && reads ? OPEN : ANY_TOKEN;
      case "cluster":
        return n == 2 && reads ? ANY_TOKEN : new OnEveryMap(Access.ADMIN);
      case "auth":
        return new OnEveryMap(Access.ADMIN);
      case "changes":
        return new OnEveryMap(Access.READ);
      case "maps":
        return n == 2 ? ANY_TOKEN : onMap(segments, reads);
      default:
        return ANY_TOKEN;
    }
  }

  private static Requirement onMap(List<String> segments, boolean reads) {
    String segment = segments.get(2);
    int colon = segment.indexOf(':');
    if (colon >= 0) {
      String map = segment.substring(0, colon);
      String action = segment.substring(colon + 1);
      if (action.equals("clear")) {
        return new OnMap(map, Access.ADMIN);
      }
      return new OnMap(map, reads ? Access.READ : Access.WRITE);
    }
    if (segments.size() == 3) {
      // The map itself: describing it reads, configuring or dropping it administers.
      return new OnMap(segment, reads ? Access.READ : Access.ADMIN);
    }
    return new OnMap(segment, reads ? Access.READ : Access.WRITE);
  }
}
