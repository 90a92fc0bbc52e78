package io.actorgrid.http.auth;

import java.time.Instant;
import java.util.List;

/**
 * A verified token: its name (recorded in the events of the writes it makes, see {@code
 * WriteOptions.withPrincipal}), its grants and its expiry.
 *
 * @param expiresAt when the token stops working, or null for never
 */
public record Principal(String name, List<Grant> grants, Instant expiresAt) {
  public Principal {
    grants = List.copyOf(grants);
  }

  /** Whether some grant gives at least {@code access} on {@code map}. */
  public boolean allows(String map, Access access) {
    for (Grant g : grants) {
      if (g.access().includes(access) && g.matches(map)) {
        return true;
      }
    }
    return false;
  }

  /** Whether some grant gives at least {@code access} on every map ({@code "*"}). */
  public boolean allowsEveryMap(Access access) {
    for (Grant g : grants) {
      if (g.access().includes(access) && g.coversEveryMap()) {
        return true;
      }
    }
    return false;
  }

  public boolean expiredAt(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }
}
