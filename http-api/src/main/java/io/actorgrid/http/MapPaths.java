package io.actorgrid.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.reject;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The shape of the paths under {@code /v1/maps}, in one place for every routes class that serves
 * one: the maps themselves, {@code /v1/maps/{map}} and what lies below it, and the actions {@code
 * POST /v1/maps/{map}:{action}}. A segment with a colon names an action, never a map.
 *
 * <p>A path that is not its own is rejected without a rejection, so the classes compose with {@code
 * concat} as one tree would: a wrong method on a path still lists, in Allow, exactly the methods of
 * that path.
 */
final class MapPaths {
  /** The actions on a map; each is served by the routes class of its resource. */
  static final List<String> ACTIONS = List.of("batch", "clear");

  private MapPaths() {}

  /** {@code /v1/maps} and {@code /v1/maps/}. */
  static Route maps(Supplier<Route> inner) {
    return pathPrefix("v1", () -> pathPrefix("maps", () -> pathEndOrSingleSlash(inner)));
  }

  /** {@code /v1/maps/{map}...}: the inner route gets the map's name and the rest of the path. */
  static Route map(Function<String, Route> inner) {
    return mapSegment(segment -> segment.indexOf(':') >= 0 ? reject() : inner.apply(segment));
  }

  /** {@code POST /v1/maps/{map}:{action}}: the inner route gets the map's name. */
  static Route action(String action, Function<String, Route> inner) {
    return mapSegment(
        segment -> {
          int colon = segment.indexOf(':');
          if (colon < 0 || !segment.substring(colon + 1).equals(action)) {
            return reject();
          }
          return pathEnd(() -> post(() -> inner.apply(segment.substring(0, colon))));
        });
  }

  /** {@code POST /v1/maps/{map}:{action}} for an action that is none of {@link #ACTIONS}. */
  static Route unknownAction(Problems problems) {
    return mapSegment(
        segment -> {
          int colon = segment.indexOf(':');
          if (colon < 0 || ACTIONS.contains(segment.substring(colon + 1))) {
            return reject();
          }
          String action = segment.substring(colon + 1);
          return pathEnd(
              () ->
                  post(
                      () ->
                          complete(
                              problems.problem(
                                  404,
                                  "Not found",
                                  "no action '"
                                      + action
                                      + "' on maps; the actions are "
                                      + actionList()))));
        });
  }

  private static Route mapSegment(Function<String, Route> inner) {
    return pathPrefix(
        "v1", () -> pathPrefix("maps", () -> pathPrefix(PathMatchers.segment(), inner)));
  }

  /** ":batch and :clear". */
  private static String actionList() {
    List<String> named = ACTIONS.stream().map(a -> ":" + a).toList();
    return String.join(", ", named.subList(0, named.size() - 1))
        + " and "
        + named.get(named.size() - 1);
  }
}
