package io.actorgrid.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.actorgrid.grid.InvalidRequestException;
import io.actorgrid.grid.PreconditionFailedException;
import io.actorgrid.http.auth.Access;
import io.actorgrid.http.auth.Grant;
import io.actorgrid.http.auth.Principal;
import io.actorgrid.http.auth.TokenStore;
import io.actorgrid.http.auth.TokenVerifier;
import io.actorgrid.http.wire.TokenReply;
import io.actorgrid.http.wire.TokensReply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.CacheControl;
import org.apache.pekko.http.javadsl.model.headers.CacheDirectives;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Tokens: {@code POST /v1/auth/tokens} makes one, {@code GET /v1/auth/tokens} lists them, {@code
 * DELETE /v1/auth/tokens/{name}} revokes one. Every route here needs admin access to every map (see
 * {@link Authorization}). Tokens are records of the grid (see {@link TokenStore}): made through one
 * node, they work on every node; a revocation reaches every node within {@code
 * actorgrid.auth.cache-ttl}.
 */
final class TokenRoutes extends AllDirectives {
  private static final String EXAMPLE =
      "{\"name\":\"reporting\",\"grants\":[{\"maps\":\"users*\",\"access\":\"read\"}],"
          + "\"ttl\":\"30d\"}";

  private final TokenStore store;
  private final TokenVerifier verifier;
  private final Problems problems;
  private final Responses responses;
  private final Bodies bodies;

  /**
   * @param verifier null when authentication is off
   */
  TokenRoutes(RouteHelpers helpers, TokenStore store, TokenVerifier verifier) {
    this.store = store;
    this.verifier = verifier;
    this.problems = helpers.problems();
    this.responses = helpers.responses();
    this.bodies = helpers.bodies();
  }

  Route route() {
    return pathPrefix(
        "v1",
        () ->
            pathPrefix(
                "auth",
                () ->
                    pathPrefix(
                        "tokens",
                        () ->
                            concat(
                                pathEndOrSingleSlash(
                                    () -> concat(post(this::create), get(this::list))),
                                path(
                                    PathMatchers.segment(), name -> delete(() -> revoke(name)))))));
  }

  private Route create() {
    return Authorization.principal(
        principal ->
            extractRequestEntity(
                entity ->
                    responses.respond(
                        () ->
                            bodies.withValue(
                                entity,
                                body ->
                                    create(
                                        bodies.json(entity.getContentType(), body, EXAMPLE),
                                        principal)))));
  }

  private CompletionStage<HttpResponse> create(JsonNode node, Optional<Principal> principal) {
    if (!node.isObject()) {
      throw new InvalidRequestException("a token request is a JSON object, such as " + EXAMPLE);
    }
    String name = null;
    List<Grant> grants = null;
    Duration ttl = null;
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      JsonNode value = field.getValue();
      switch (field.getKey()) {
        case "name" -> {
          if (!value.isTextual() || !TokenStore.validName(value.textValue())) {
            throw new InvalidRequestException(
                "name is 1 to 64 letters, digits, '_' or '-', starting with a letter or digit");
          }
          name = value.textValue();
        }
        case "grants" -> grants = grants(value);
        case "ttl" -> {
          if (!value.isNull()) {
            if (!value.isTextual()) {
              throw new InvalidRequestException(
                  "ttl is a string such as \"30d\" (units ms, s, m, h, d), or absent for a token"
                      + " that does not expire");
            }
            ttl = Ttls.parse(value.textValue(), "ttl");
          }
        }
        default ->
            throw new InvalidRequestException(
                "unknown field '" + field.getKey() + "'; a token request has name, grants and ttl");
      }
    }
    if (name == null) {
      throw new InvalidRequestException("the token needs a name, such as " + EXAMPLE);
    }
    if (grants == null) {
      throw new InvalidRequestException(
          "the token needs grants (an empty list makes a token that only authenticates), such as "
              + EXAMPLE);
    }
    if (name.equals(TokenStore.BOOTSTRAP_NAME)) {
      return CompletableFuture.completedFuture(
          problems.problem(
              409,
              "Conflict",
              "the name '"
                  + TokenStore.BOOTSTRAP_NAME
                  + "' belongs to the bootstrap token (GRID_ADMIN_TOKEN); choose another"));
    }
    String tokenName = name;
    return store
        .create(name, grants, ttl, Authorization.name(principal))
        .thenApply(
            created ->
                responses
                    .json(
                        201,
                        responses.toJson(
                            new TokenReply(
                                created.name(),
                                created.token(),
                                created.expiresAt() == null
                                    ? null
                                    : created.expiresAt().toString())))
                    .addHeader(Location.create("/v1/auth/tokens/" + created.name()))
                    .addHeader(CacheControl.create(CacheDirectives.NO_STORE)))
        .exceptionally(
            failure -> {
              if (unwrap(failure) instanceof PreconditionFailedException) {
                return problems.problem(
                    409,
                    "Conflict",
                    "a token named '"
                        + tokenName
                        + "' exists; revoke it first (DELETE /v1/auth/tokens/"
                        + tokenName
                        + ") or choose another name");
              }
              throw failure instanceof CompletionException c ? c : new CompletionException(failure);
            });
  }

  private static List<Grant> grants(JsonNode value) {
    if (!value.isArray()) {
      throw new InvalidRequestException(
          "grants is a list of {\"maps\": <glob>, \"access\": \"read\"|\"write\"|\"admin\"}");
    }
    List<Grant> grants = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode g = value.get(i);
      String where = "grants[" + i + "]: ";
      if (!g.isObject()) {
        throw new InvalidRequestException(
            where + "a grant is {\"maps\": \"users*\", \"access\": \"read\"}");
      }
      JsonNode maps = g.get("maps");
      JsonNode access = g.get("access");
      if (g.size() != 2 || maps == null || access == null) {
        throw new InvalidRequestException(
            where
                + "a grant has exactly maps and access, such as {\"maps\": \"users*\", \"access\":"
                + " \"read\"}");
      }
      Access level = access.isTextual() ? Access.fromWire(access.textValue()) : null;
      if (level == null) {
        throw new InvalidRequestException(where + "access is read, write or admin");
      }
      try {
        grants.add(new Grant(maps.isTextual() ? maps.textValue() : null, level));
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException(where + e.getMessage());
      }
    }
    return grants;
  }

  private Route list() {
    return responses.respond(
        () ->
            store
                .list()
                .thenApply(
                    tokens ->
                        responses.json(
                            200,
                            responses.toJson(
                                new TokensReply(
                                    tokens.stream()
                                        .sorted(Comparator.comparing(TokenStore.Named::name))
                                        .map(
                                            t ->
                                                new TokensReply.Item(
                                                    t.name(),
                                                    t.token().grants().stream()
                                                        .map(
                                                            g ->
                                                                new TokensReply.Grant(
                                                                    g.maps(),
                                                                    g.access().wireName()))
                                                        .toList(),
                                                    instant(t.token().expiresAt()),
                                                    instant(t.token().createdAt()),
                                                    t.token().createdBy()))
                                        .toList())))));
  }

  private Route revoke(String name) {
    return Authorization.principal(
        principal ->
            responses.respond(
                () -> {
                  if (name.equals(TokenStore.BOOTSTRAP_NAME)) {
                    return CompletableFuture.completedFuture(
                        problems.problem(
                            409,
                            "Conflict",
                            "the bootstrap token is not stored in the grid: change"
                                + " GRID_ADMIN_TOKEN (or its file) and restart the nodes"));
                  }
                  if (!TokenStore.validName(name)) {
                    return CompletableFuture.completedFuture(notFound(name));
                  }
                  return store
                      .revoke(name, Authorization.name(principal))
                      .thenApply(
                          existed -> {
                            if (verifier != null) {
                              verifier.forget(name);
                            }
                            return existed
                                ? HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
                                : notFound(name);
                          });
                }));
  }

  private HttpResponse notFound(String name) {
    return problems.problem(404, "Not found", "there is no token named '" + name + "'");
  }

  private static String instant(Long epochMillis) {
    return epochMillis == null ? null : Instant.ofEpochMilli(epochMillis).toString();
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
