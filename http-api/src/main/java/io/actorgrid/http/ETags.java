package io.actorgrid.http;

import io.actorgrid.grid.InvalidRequestException;
import io.actorgrid.grid.Precondition;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;

/**
 * Entity tags and the conditional headers of the API. A record's ETag is its version in quotes,
 * {@code "42"}; it is strong, since a version names exactly one value.
 */
final class ETags {
  private ETags() {}

  static String of(long version) {
    return "\"" + version + "\"";
  }

  /** The ETag header of a version. */
  static ETag header(long version) {
    return ETag.create(EntityTag.create(Long.toString(version), false));
  }

  /** If-Match / If-None-Match on a write, as one precondition. */
  static Precondition forWrite(String ifMatch, String ifNoneMatch, boolean isPut) {
    if (ifMatch != null && ifNoneMatch != null) {
      throw new InvalidRequestException("send either If-Match or If-None-Match, not both");
    }
    if (ifMatch != null) {
      List<String> tags = parse(ifMatch, "If-Match");
      if (tags.size() != 1) {
        throw new InvalidRequestException(
            "If-Match takes one ETag (the version you read, e.g. \"3\") or *");
      }
      String tag = tags.get(0);
      if (tag.equals("*")) {
        return Precondition.ifPresent();
      }
      if (tag.startsWith("W/")) {
        throw new InvalidRequestException(
            "If-Match needs a strong ETag such as \"3\"; weak ETags never match a write");
      }
      return Precondition.ifVersion(versionOf(tag, "If-Match"));
    }
    if (ifNoneMatch != null) {
      if (!isPut) {
        throw new InvalidRequestException(
            "only PUT takes If-None-Match (*: create only); use If-Match with the version you read");
      }
      if (!ifNoneMatch.trim().equals("*")) {
        throw new InvalidRequestException(
            "If-None-Match on PUT supports only * (create only when the key is absent)");
      }
      return Precondition.ifAbsent();
    }
    return Precondition.none();
  }

  /** Whether an If-None-Match header of a read matches the current version (weak comparison). */
  static boolean noneMatchHits(String ifNoneMatch, long version) {
    for (String tag : parse(ifNoneMatch, "If-None-Match")) {
      if (tag.equals("*")) {
        return true;
      }
      String strong = tag.startsWith("W/") ? tag.substring(2) : tag;
      if (strong.equals(of(version))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> parse(String header, String name) {
    List<String> tags = new ArrayList<>();
    for (String part : header.split(",")) {
      String tag = part.trim();
      if (tag.isEmpty()) {
        continue;
      }
      String quoted = tag.startsWith("W/") ? tag.substring(2) : tag;
      if (!tag.equals("*")
          && (quoted.length() < 2 || !quoted.startsWith("\"") || !quoted.endsWith("\""))) {
        throw new InvalidRequestException(
            name + " holds '" + tag + "', which is not an ETag: quote it, e.g. \"3\", or use *");
      }
      tags.add(tag);
    }
    if (tags.isEmpty()) {
      throw new InvalidRequestException(name + " is empty: give an ETag such as \"3\", or *");
    }
    return tags;
  }

  private static long versionOf(String tag, String name) {
    try {
      long version = Long.parseLong(tag.substring(1, tag.length() - 1));
      if (version >= 1) {
        return version;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new InvalidRequestException(
        name + " holds " + tag + ", which is no version of this grid; versions are \"1\" or more");
  }
}
