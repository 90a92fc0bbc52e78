package io.actorgrid.cli;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * How a value appears inside JSON, as the node's listings show it: JSON values inline ({@code
 * value}), {@code text/*} values as a string ({@code valueText}, in the content type's charset,
 * UTF-8 by default) and anything else in base64 ({@code valueBase64}).
 */
final class Values {
  private Values() {}

  /** application/json and any application/*+json type. */
  static boolean isJson(String contentType) {
    String media = mediaType(contentType);
    return media.equals("application/json")
        || media.startsWith("application/") && media.endsWith("+json");
  }

  static boolean isText(String contentType) {
    return mediaType(contentType).startsWith("text/");
  }

  /** The charset parameter of a content type, UTF-8 when absent or unknown to this JVM. */
  static Charset charset(String contentType) {
    if (contentType == null) {
      return StandardCharsets.UTF_8;
    }
    for (String parameter : contentType.split(";")) {
      String[] pair = parameter.trim().split("=", 2);
      if (pair.length == 2 && pair[0].trim().equalsIgnoreCase("charset")) {
        String name = pair[1].trim().replace("\"", "");
        try {
          return Charset.forName(name);
        } catch (RuntimeException e) {
          return StandardCharsets.UTF_8;
        }
      }
    }
    return StandardCharsets.UTF_8;
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .trim()
        .toLowerCase(Locale.ROOT);
  }
}
