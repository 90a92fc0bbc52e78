package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Connections that hold the server without using it are closed: a client that sends its request
 * headers one byte at a time (slowloris), and an idle keep-alive connection. Both run with the
 * shipped actorgrid.http.connection-idle-timeout (20 s); the test only bounds the wait far above it
 * and prints how long the close took.
 */
class SlowClientTest extends RouteTestSupport {
  /** Far above the shipped 20 s: a node that never closes fails, a slow machine does not. */
  private static final Duration GIVE_UP = Duration.ofSeconds(150);

  @Test
  void aClientSendingItsHeadersByteByByteIsCutOff() throws Exception {
    try (Socket socket = RawHttp.connect(base, Duration.ofMillis(500))) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(ISO_8859_1));
      Instant start = Instant.now();
      boolean closed = false;
      while (!closed && Duration.between(start, Instant.now()).compareTo(GIVE_UP) < 0) {
        try {
          // One byte of a header value that never ends, well within Pekko's idle-timeout.
          out.write('a');
          out.flush();
          int read = in.read();
          // The server may say something before it closes (never a 200: no request was complete).
          assertTrue(read == -1 || read == 'H', "unexpected byte " + read);
          if (read == 'H') {
            String status = new String(in.readNBytes(11), ISO_8859_1);
            assertTrue(!status.contains(" 200"), status);
          }
          closed = true;
        } catch (SocketTimeoutException stillOpen) {
          // Nothing to read yet: send the next byte.
        } catch (IOException reset) {
          closed = true;
        }
      }
      assertTrue(closed, "the connection was still open after " + GIVE_UP);
      System.out.printf(
          "slow header sender cut after %d ms%n",
          Duration.between(start, Instant.now()).toMillis());
    }
    assertEquals(200, get(java.net.URI.create(base + "/health/ready")).statusCode());
  }

  @Test
  void anIdleKeepAliveConnectionIsClosed() throws Exception {
    try (Socket socket = RawHttp.connect(base, GIVE_UP)) {
      socket
          .getOutputStream()
          .write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(ISO_8859_1));
      RawHttp.Response first = RawHttp.read(socket.getInputStream());
      assertEquals(200, first.status());
      assertTrue(!"close".equalsIgnoreCase(first.headers().get("connection")), "kept alive");
      Instant idleSince = Instant.now();
      // Blocks until the server closes the connection (or fails with a timeout after GIVE_UP).
      assertEquals(-1, socket.getInputStream().read());
      System.out.printf(
          "idle keep-alive connection closed after %d ms%n",
          Duration.between(idleSince, Instant.now()).toMillis());
    }
  }

  @Test
  void aConnectionThatKeepsSendingRequestsStaysOpen() throws Exception {
    try (Socket socket = RawHttp.connect(base, Duration.ofSeconds(60))) {
      // Several requests on one connection, each well within the idle timeout of the previous.
      for (int i = 0; i < 5; i++) {
        socket
            .getOutputStream()
            .write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(ISO_8859_1));
        assertEquals(200, RawHttp.read(socket.getInputStream()).status());
        Thread.sleep(2_000);
      }
    }
  }
}
