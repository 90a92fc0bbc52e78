package io.actorgrid.http;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

/**
 * The node's log encoder, as {@code logback.xml} configures it: {@code format} {@code json} writes
 * {@link JsonLogEncoder}'s objects, anything else (the default {@code text}) lines of {@code
 * pattern}. One appender with this encoder, rather than one appender per format picked by name,
 * leaves no appender unused (logback would print its whole configuration status at every start) and
 * no format that silences the log.
 */
public final class LogEncoder extends EncoderBase<ILoggingEvent> {
  private String format = "text";
  private String pattern = "%d %-5level %logger{36} - %msg%n";
  private Encoder<ILoggingEvent> delegate;

  public void setFormat(String format) {
    this.format = format;
  }

  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  @Override
  public void start() {
    if (format.trim().equalsIgnoreCase("json")) {
      delegate = new JsonLogEncoder();
    } else {
      if (!format.trim().equalsIgnoreCase("text")) {
        addError(
            "log format '" + format + "' (GRID_LOG_FORMAT) is neither text nor json; using text");
      }
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(pattern);
      delegate = text;
    }
    delegate.setContext(getContext());
    delegate.start();
    super.start();
  }

  @Override
  public void stop() {
    if (delegate != null) {
      delegate.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return delegate.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return delegate.footerBytes();
  }
}
