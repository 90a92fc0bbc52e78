package io.actorgrid.http;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code actorgrid.http} section; defaults in http-api's {@code reference.conf}. */
public record HttpSettings(
    String host, int port, Duration bodyReadTimeout, long maxBatchBodyBytes) {
  public static HttpSettings from(Config root) {
    Config c = root.getConfig("actorgrid.http");
    return new HttpSettings(
        c.getString("host"),
        c.getInt("port"),
        c.getDuration("body-read-timeout"),
        c.getBytes("max-batch-body-bytes"));
  }
}
