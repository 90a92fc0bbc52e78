package io.actorgrid.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The routes as GridRoutes composes them: paths no resource serves, requests the parser refuses,
 * wrong methods, the OpenAPI document against what the node serves, and, last, that the node
 * survived all of it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GridRoutesTest extends RouteTestSupport {
  // ---------------------------------------------------------------------------------------------
  // Routing and errors

  // Found by HttpFuzzTest: an empty map segment made the request metrics throw (a null map label
  // in a ConcurrentHashMap), which Pekko answered with a plain-text 500.
  @Test
  void anEmptyMapSegmentIsAClientMistakeNotA500() throws Exception {
    for (String path :
        List.of("/v1/maps//entries", "/v1/maps//entries/k", "/v1/maps//entries/k:increment")) {
      var reply = get(URI.create(base + path));
      assertTrue(
          reply.statusCode() >= 400 && reply.statusCode() < 500,
          () -> path + " -> " + reply.statusCode() + " " + text(reply));
    }
  }

  @Test
  void unknownPathsAre404Problems() throws Exception {
    for (String path :
        List.of(
            "/",
            "/nope",
            "/v1",
            "/v1/nope",
            "/v2/maps",
            "/v1/maps/m",
            "/v1/maps/m/nope",
            "/v1/maps/m/entries/a/b",
            "/v1/maps/m/entriesx",
            "/v1/mapsx",
            "/health",
            "/health/nope",
            "/healthy/live")) {
      assertProblem(get(URI.create(base + path)), 404);
    }
  }

  @Test
  void requestsThePekkoParserRefusesAreProblemsToo() throws Exception {
    var longUri = put("parser-errors", "k".repeat(3000), "v", "text/plain");
    assertTrue(longUri.statusCode() == 400 || longUri.statusCode() == 414, () -> text(longUri));
    assertProblem(longUri, longUri.statusCode());
  }

  @Test
  void wrongMethodsAre405ProblemsWithAllow() throws Exception {
    var post = send(request(entry("methods", "k")).POST(BodyPublishers.ofString("v")));
    assertProblem(post, 405);
    assertEquals(
        Set.of("GET", "HEAD", "PUT", "DELETE", "PATCH"),
        allowed(post),
        () -> post.headers().toString());

    var listPost = send(request(list("methods")).POST(BodyPublishers.ofString("v")));
    assertProblem(listPost, 405);
    assertEquals(Set.of("GET"), allowed(listPost));

    var mapsDelete = send(request(URI.create(base + "/v1/maps")).DELETE());
    assertProblem(mapsDelete, 405);
    assertEquals(Set.of("GET"), allowed(mapsDelete));

    var healthPut = send(request(URI.create(base + "/health/live")).PUT(BodyPublishers.noBody()));
    assertProblem(healthPut, 405);
    assertEquals(Set.of("GET"), allowed(healthPut));
  }

  // ---------------------------------------------------------------------------------------------
  // OpenAPI

  @Test
  void theOpenApiDocumentDescribesTheRoutesTheNodeServes() throws Exception {
    var reply = get(URI.create(base + "/v1/openapi.json"));
    assertEquals(200, reply.statusCode());
    assertEquals("application/json", mediaType(reply));
    JsonNode doc = json(reply);
    assertTrue(doc.get("openapi").asText().startsWith("3."));
    Set<String> methods = Set.of("get", "head", "put", "post", "patch", "delete");
    int operations = 0;
    var paths = doc.get("paths").properties();
    for (var path : paths) {
      String concrete =
          path.getKey()
              .replace("{map}", "openapi-check")
              .replace("{key}", "k")
              .replace("{name}", "k");
      for (String method : methods) {
        JsonNode operation = path.getValue().get(method);
        HttpRequest.Builder request = request(URI.create(base + concrete));
        if (concrete.endsWith("/changes")) {
          // A change feed never ends; a format it does not serve gets its documented 406.
          request.header("Accept", "application/json");
        }
        HttpRequest.Builder withBody =
            request.header(
                "Content-Type",
                method.equals("patch") ? "application/merge-patch+json" : "application/json");
        String body =
            method.equals("post") && concrete.endsWith(":batch")
                ? "{\"items\":[{\"op\":\"get\",\"key\":\"k\"}]}"
                : method.equals("put") && concrete.endsWith("openapi-check") ? "{}" : "{\"a\":1}";
        HttpResponse<byte[]> answer =
            send(
                switch (method) {
                  case "get" -> request.GET();
                  case "head" -> request.method("HEAD", BodyPublishers.noBody());
                  case "delete" -> request.DELETE();
                  default ->
                      withBody.method(
                          method.toUpperCase(java.util.Locale.ROOT), BodyPublishers.ofString(body));
                });
        if (operation == null) {
          // Other methods on an action path act on a key that ends in the action's name.
          boolean actionPath = path.getKey().contains(":");
          if (!actionPath && (!method.equals("head") || path.getValue().get("get") == null)) {
            assertTrue(
                answer.statusCode() == 405 || answer.statusCode() == 404,
                () ->
                    method
                        + " "
                        + path.getKey()
                        + " is not documented but answered "
                        + answer.statusCode());
          }
          continue;
        }
        operations++;
        Set<String> documented = new TreeSet<>();
        operation.get("responses").fieldNames().forEachRemaining(documented::add);
        assertTrue(
            documented.contains(Integer.toString(answer.statusCode())),
            () ->
                method
                    + " "
                    + path.getKey()
                    + " answered "
                    + answer.statusCode()
                    + " ("
                    + text(answer)
                    + "), documented: "
                    + documented);
        assertTrue(operation.hasNonNull("summary"), () -> method + " " + path.getKey());
      }
    }
    assertTrue(operations >= 17, "every route is documented: " + operations);
  }

  // ---------------------------------------------------------------------------------------------
  // Last: the node survived all of the above.

  @Test
  @Order(Integer.MAX_VALUE)
  void theNodeStillServesAfterEverythingElse() throws Exception {
    var created = put("still-alive", "k", "yes", "text/plain");
    assertEquals(201, created.statusCode(), () -> text(created));
    var read = get(entry("still-alive", "k"));
    assertEquals(200, read.statusCode());
    assertEquals("yes", text(read));
    assertEquals(200, get(URI.create(base + "/health/ready")).statusCode());
    assertEquals(200, get(URI.create(base + "/v1/maps")).statusCode());
  }
}
