package io.actorgrid.http.auth;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.regex.Pattern;

/**
 * Access to the maps whose names match a glob: {@code *} stands for any run of characters (also
 * none), every other character for itself. {@code "users*"} matches users, users-eu and users.v2;
 * {@code "*"} matches every map.
 *
 * @param maps the glob
 * @param access the level granted on those maps
 */
public record Grant(String maps, Access access) {
  /** A glob: what a map name may hold, and '*'. */
  private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9._*-]{1,128}");

  public Grant {
    if (maps == null || !GLOB.matcher(maps).matches()) {
      throw new IllegalArgumentException(
          "maps is '"
              + maps
              + "'; write a map name or a glob of 1 to 128 letters, digits, '.', '_', '-' and '*'"
              + " (any characters), such as \"users*\" or \"*\"");
    }
    if (access == null) {
      throw new IllegalArgumentException("access is one of read, write and admin");
    }
  }

  /** Whether the glob matches the map's name. */
  public boolean matches(String map) {
    return globMatches(maps, 0, map, 0);
  }

  /** Whether the glob matches every map name (it is only stars). */
  @JsonIgnore
  public boolean coversEveryMap() {
    return maps.chars().allMatch(c -> c == '*');
  }

  // Iterative star matching with one backtrack point: linear in practice, no regex compilation
  // per request, and no catastrophic backtracking on globs like "a*a*a*a*b".
  private static boolean globMatches(String glob, int g, String name, int n) {
    int star = -1;
    int mark = 0;
    while (n < name.length()) {
      if (g < glob.length() && glob.charAt(g) != '*' && glob.charAt(g) == name.charAt(n)) {
        g++;
        n++;
      } else if (g < glob.length() && glob.charAt(g) == '*') {
        star = g++;
        mark = n;
      } else if (star >= 0) {
        g = star + 1;
        n = ++mark;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }
}
