package io.actorgrid.http;

import io.actorgrid.grid.WriteOptions;
import io.actorgrid.http.auth.AccessRules;
import io.actorgrid.http.auth.AuthSettings;
import io.actorgrid.http.auth.Principal;
import io.actorgrid.http.auth.TokenVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Authentication and authorization of every request, in front of all routes: the bearer token of
 * {@code Authorization} is verified (see {@link TokenVerifier}) and its grants checked against what
 * the route needs (see {@link AccessRules}), from the method and path alone, before any route reads
 * the grid. No token, or one that is unknown, revoked or expired: 401 with {@code WWW-Authenticate:
 * Bearer}. A valid token without the grant: 403. Neither says whether the map or key exists. The
 * token's {@link Principal} goes on to the routes as a request attribute, which names the writes it
 * makes ({@link #options}).
 *
 * <p>Without a bootstrap admin token (see {@link AuthSettings}) the node serves without
 * authentication and this lets every request through.
 */
final class Authorization extends AllDirectives {
  static final AttributeKey<Principal> PRINCIPAL =
      AttributeKey.create("actorgrid-principal", Principal.class);

  private static final String REALM = "actorgrid";

  private final TokenVerifier verifier;
  private final Problems problems;

  /**
   * @param verifier null when authentication is off
   */
  Authorization(TokenVerifier verifier, Problems problems) {
    this.verifier = verifier;
    this.problems = problems;
  }

  Route protect(Supplier<Route> routes) {
    // Built once: the directives below run per request, and building the route tree there would
    // cost more than the whole check.
    Route inner = routes.get();
    if (verifier == null) {
      return inner;
    }
    return extractRequest(
        request -> {
          AccessRules.Requirement need =
              AccessRules.of(request.method().value(), request.getUri().path(), segments(request));
          if (need instanceof AccessRules.Open) {
            return inner;
          }
          String token = bearer(request);
          if (token == null) {
            return complete(
                unauthorized(
                    null,
                    "this node requires a token: send Authorization: Bearer <token> (an"
                        + " administrator makes tokens with POST /v1/auth/tokens)"));
          }
          Optional<Principal> hit = verifier.cached(token);
          if (hit != null) {
            return decide(need, hit, inner);
          }
          return onComplete(
              () -> verifier.verify(token),
              result ->
                  result.isSuccess()
                      ? decide(need, result.get(), inner)
                      : complete(problems.forFailure(result.failed().get(), 0)));
        });
  }

  private Route decide(AccessRules.Requirement need, Optional<Principal> principal, Route inner) {
    if (principal.isEmpty()) {
      return complete(
          unauthorized(
              "invalid_token",
              "the token is not valid: it is malformed, unknown, revoked or expired"));
    }
    Principal p = principal.get();
    String refusal = null;
    if (need instanceof AccessRules.OnMap m && !p.allows(m.map(), m.access())) {
      refusal =
          "token '"
              + p.name()
              + "' has no "
              + m.access().wireName()
              + " access to map '"
              + m.map()
              + "'";
    } else if (need instanceof AccessRules.OnEveryMap all && !p.allowsEveryMap(all.access())) {
      refusal =
          "token '"
              + p.name()
              + "' needs "
              + all.access().wireName()
              + " access to every map (a grant on \"*\") for this request";
    }
    if (refusal != null) {
      return complete(problems.problem(403, "Forbidden", refusal));
    }
    return mapRequest(r -> r.addAttribute(PRINCIPAL, p), () -> inner);
  }

  private HttpResponse unauthorized(String error, String detail) {
    return problems
        .problem(401, "Unauthorized", detail)
        .addHeader(
            WWWAuthenticate.create(
                error == null
                    ? HttpChallenge.createOAuth2(REALM)
                    : HttpChallenge.create("Bearer", REALM, Map.of("error", error))));
  }

  /** The token of {@code Authorization: Bearer <token>}, or null. */
  private static String bearer(HttpRequest request) {
    // Pekko has parsed the header already: take the token without rendering the header again.
    Optional<org.apache.pekko.http.javadsl.model.headers.Authorization> parsed =
        request.getHeader(org.apache.pekko.http.javadsl.model.headers.Authorization.class);
    if (parsed.isPresent()
        && parsed.get().credentials()
            instanceof org.apache.pekko.http.javadsl.model.headers.OAuth2BearerToken bearer) {
      String token = bearer.token();
      return token == null || token.isEmpty() ? null : token;
    }
    return request
        .getHeader("Authorization")
        .map(
            h -> {
              String value = h.value().trim();
              int space = value.indexOf(' ');
              if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
                return null;
              }
              String token = value.substring(space + 1).trim();
              return token.isEmpty() ? null : token;
            })
        .orElse(null);
  }

  private static List<String> segments(HttpRequest request) {
    List<String> segments = new ArrayList<>();
    request.getUri().pathSegments().forEach(segments::add);
    return segments;
  }

  /** The principal of the request, for the inner route (empty when authentication is off). */
  static Route principal(Function<Optional<Principal>, Route> inner) {
    return org.apache.pekko.http.javadsl.server.Directives.extractRequest(
        request -> inner.apply(request.getAttribute(PRINCIPAL)));
  }

  /** The options, naming the request's principal as the writer. */
  static WriteOptions options(WriteOptions options, Optional<Principal> principal) {
    return principal.map(p -> options.withPrincipal(p.name())).orElse(options);
  }

  /** The principal's name, or null. */
  static String name(Optional<Principal> principal) {
    return principal.map(Principal::name).orElse(null);
  }

  /** The verifier for the settings, or null when authentication is off. */
  static TokenVerifier verifierFor(AuthSettings settings, io.actorgrid.http.auth.TokenStore store) {
    return settings.enabled() ? new TokenVerifier(settings, store) : null;
  }
}
