package io.actorgrid.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Globs, grants and which route needs what: the pure parts of authorization. */
class AuthRulesTest {
  private static AccessRules.Requirement need(String method, String path) {
    List<String> segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    return AccessRules.of(method, path, segments);
  }

  @Test
  void globsMatchWholeNamesWithStarsForAnyRun() {
    assertTrue(new Grant("users*", Access.READ).matches("users"));
    assertTrue(new Grant("users*", Access.READ).matches("users-eu"));
    assertFalse(new Grant("users*", Access.READ).matches("all-users"));
    assertTrue(new Grant("*-eu", Access.READ).matches("users-eu"));
    assertTrue(new Grant("a*b*c", Access.READ).matches("aXXbYYc"));
    assertFalse(new Grant("a*b*c", Access.READ).matches("aXXbYY"));
    assertTrue(new Grant("orders", Access.READ).matches("orders"));
    assertFalse(new Grant("orders", Access.READ).matches("orders2"));
    assertTrue(new Grant("*", Access.READ).coversEveryMap());
    assertFalse(new Grant("*a", Access.READ).coversEveryMap());
    // No catastrophic backtracking.
    assertFalse(new Grant("a*a*a*a*a*a*a*a*a*b", Access.READ).matches("a".repeat(100)));
    assertThrows(IllegalArgumentException.class, () -> new Grant("", Access.READ));
    assertThrows(IllegalArgumentException.class, () -> new Grant("a/b", Access.READ));
    assertThrows(IllegalArgumentException.class, () -> new Grant("m", null));
  }

  @Test
  void levelsIncludeTheLowerOnes() {
    Principal p =
        new Principal(
            "t",
            List.of(new Grant("users*", Access.READ), new Grant("orders", Access.WRITE)),
            null);
    assertTrue(p.allows("users-eu", Access.READ));
    assertFalse(p.allows("users-eu", Access.WRITE));
    assertTrue(p.allows("orders", Access.READ));
    assertTrue(p.allows("orders", Access.WRITE));
    assertFalse(p.allows("orders", Access.ADMIN));
    assertFalse(p.allowsEveryMap(Access.READ));
    assertTrue(
        new Principal("a", List.of(new Grant("*", Access.ADMIN)), null)
            .allowsEveryMap(Access.READ));
  }

  @Test
  void eachRouteNeedsItsAccess() {
    assertEquals(new AccessRules.Open(), need("GET", "/health/live"));
    assertEquals(new AccessRules.Open(), need("GET", "/v1/openapi.json"));
    assertEquals(new AccessRules.AnyToken(), need("GET", "/metrics"));
    assertEquals(new AccessRules.AnyToken(), need("GET", "/v1/cluster"));
    assertEquals(new AccessRules.OnEveryMap(Access.ADMIN), need("POST", "/v1/cluster"));
    assertEquals(new AccessRules.AnyToken(), need("GET", "/v1/maps"));
    assertEquals(new AccessRules.OnEveryMap(Access.READ), need("GET", "/v1/changes"));
    assertEquals(new AccessRules.OnEveryMap(Access.ADMIN), need("GET", "/v1/auth/tokens"));
    assertEquals(new AccessRules.OnEveryMap(Access.ADMIN), need("DELETE", "/v1/auth/tokens/x"));
    assertEquals(new AccessRules.OnMap("m", Access.READ), need("GET", "/v1/maps/m"));
    assertEquals(new AccessRules.OnMap("m", Access.ADMIN), need("PUT", "/v1/maps/m"));
    assertEquals(new AccessRules.OnMap("m", Access.ADMIN), need("DELETE", "/v1/maps/m"));
    assertEquals(new AccessRules.OnMap("m", Access.ADMIN), need("POST", "/v1/maps/m:clear"));
    assertEquals(new AccessRules.OnMap("m", Access.WRITE), need("POST", "/v1/maps/m:batch"));
    assertEquals(new AccessRules.OnMap("m", Access.READ), need("GET", "/v1/maps/m/entries"));
    assertEquals(new AccessRules.OnMap("m", Access.READ), need("HEAD", "/v1/maps/m/entries/k"));
    assertEquals(new AccessRules.OnMap("m", Access.READ), need("GET", "/v1/maps/m/changes"));
    assertEquals(
        new AccessRules.OnMap("m", Access.READ), need("GET", "/v1/maps/m/entries/k/history"));
    for (String method : List.of("PUT", "PATCH", "DELETE", "POST")) {
      assertEquals(new AccessRules.OnMap("m", Access.WRITE), need(method, "/v1/maps/m/entries/k"));
    }
    assertEquals(
        new AccessRules.OnMap("m", Access.WRITE), need("POST", "/v1/maps/m/entries/k:increment"));
    assertEquals(new AccessRules.AnyToken(), need("GET", "/v1//maps/m/entries/k"));
    assertEquals(new AccessRules.AnyToken(), need("GET", "/nothing/here"));
  }

  @Test
  void aTokenNamesItselfAndNothingElse() {
    assertEquals("reporting", TokenStore.claimedName("agt.reporting.c2VjcmV0"));
    assertNull(TokenStore.claimedName("agt.reporting."));
    assertNull(TokenStore.claimedName("agt.bad name.x"));
    assertNull(TokenStore.claimedName("Bearer agt.x.y"));
    assertNull(TokenStore.claimedName("reporting"));
  }
}
