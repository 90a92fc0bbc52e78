package io.actorgrid.http;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * The node's log as JSON, one object per line ({@code GRID_LOG_FORMAT=json}, see {@link
 * LogEncoder}): {@code timestamp} (ISO-8601, UTC), {@code level}, {@code logger}, {@code thread},
 * {@code message} (formatted), {@code node} (the node's cluster address, once it is known), {@code
 * requestId} (on lines about an HTTP request, as in its {@code Request-Id} header), {@code mdc}
 * (any other diagnostic context, such as Pekko's source) and {@code exception} (a stack trace).
 *
 * <p>Logback's own {@code JsonEncoder} (1.3) writes the message unformatted with its arguments
 * apart and the time as epoch milliseconds, which log tools read less well.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
  private static final byte[] NOTHING = new byte[0];
  private final JsonFactory json = new JsonFactory();

  @Override
  public byte[] headerBytes() {
    return NOTHING;
  }

  @Override
  public byte[] footerBytes() {
    return NOTHING;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = json.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      g.writeStringField("message", event.getFormattedMessage());
      var context = event.getLoggerContextVO();
      String node =
          context == null || context.getPropertyMap() == null
              ? null
              : context.getPropertyMap().get("node");
      if (node != null) {
        g.writeStringField("node", node);
      }
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc == null) {
        mdc = Map.of();
      }
      String requestId = mdc.get(RequestObservation.REQUEST_ID_MDC);
      if (requestId != null) {
        g.writeStringField("requestId", requestId);
      }
      if (mdc.size() > (requestId == null ? 0 : 1)) {
        g.writeObjectFieldStart("mdc");
        for (Map.Entry<String, String> e : mdc.entrySet()) {
          if (!e.getKey().equals(RequestObservation.REQUEST_ID_MDC)) {
            g.writeStringField(e.getKey(), e.getValue());
          }
        }
        g.writeEndObject();
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        g.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }
}
