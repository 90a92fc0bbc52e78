package io.actorgrid.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/*
 * HTTP/1.1 over a plain socket, for what java.net.http cannot send or does not show: requests that
 * are malformed on purpose, a head without its body, bytes sent slowly, and whether the server
 * closed the connection.
 */
final class RawHttp {
  /** A response as it came over the wire; {@code status} -1 when none came before the close. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, UTF_8);
    }
  }

  private RawHttp() {}

  static Socket connect(String base, Duration readTimeout) throws IOException {
    URI uri = URI.create(base);
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
    socket.setSoTimeout((int) readTimeout.toMillis());
    return socket;
  }

  /** Sends {@code request} as is on a new connection and reads one response. */
  static Response exchange(String base, byte[] request, Duration readTimeout) throws IOException {
    try (Socket socket = connect(base, readTimeout)) {
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return read(socket.getInputStream());
    }
  }

  /**
   * Reads one final response (after any interim 1xx): its head, and a body of its Content-Length
   * (or up to the close). A connection closed before a status line gives status -1.
   */
  static Response read(InputStream in) throws IOException {
    int status;
    Map<String, String> headers;
    do {
      // An interim response (100 Continue to an Expect: 100-continue) precedes the final one.
      String statusLine = line(in);
      if (statusLine == null) {
        return new Response(-1, Map.of(), new byte[0]);
      }
      String[] parts = statusLine.split(" ", 3);
      status = Integer.parseInt(parts[1]);
      headers = new LinkedHashMap<>();
      for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
        int colon = line.indexOf(':');
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    } while (status >= 100 && status < 200 && status != 101);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String length = headers.get("content-length");
    if (length != null) {
      body.write(in.readNBytes(Integer.parseInt(length)));
    } else if (!"chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      in.transferTo(body);
    } else {
      for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
          size > 0;
          size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
        body.write(in.readNBytes(size));
        line(in);
      }
      line(in);
    }
    return new Response(status, headers, body.toByteArray());
  }

  /** One CRLF-terminated line without its CRLF; null at the end of the stream. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); ; b = in.read()) {
      if (b < 0) {
        return line.size() == 0 ? null : line.toString(ISO_8859_1);
      }
      if (b == '\n') {
        String s = line.toString(ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
  }
}
