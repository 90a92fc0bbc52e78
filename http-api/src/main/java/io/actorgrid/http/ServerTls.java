package io.actorgrid.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The HTTPS side of the node: an SSLEngine for each new connection, from PEM files that may be
 * replaced while the node runs. At most once per reload interval, a new connection checks the
 * files' modification times and sizes; when they changed, the files are read again and later
 * connections use the new certificate (open connections keep theirs). A set of files that does not
 * load (a half-written rotation, a key that does not match) is logged and the previous context
 * stays in use, so a rotation mistake never takes HTTPS down.
 */
final class ServerTls {
  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

  private final HttpSettings.Tls settings;
  private final long reloadIntervalNanos;
  private volatile SSLContext context;
  private List<Object> stamps;
  private long checkedAt;

  /** Loads the files now: a node whose TLS files do not load does not start. */
  ServerTls(HttpSettings.Tls settings) {
    this.settings = settings;
    this.reloadIntervalNanos = settings.reloadInterval().toNanos();
    this.stamps = stamps();
    this.context = load();
    this.checkedAt = System.nanoTime();
  }

  /** A server engine for one connection; requires a client certificate with a client CA. */
  SSLEngine newEngine() {
    reloadIfChanged();
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    if (settings.clientCaFile().isPresent()) {
      engine.setNeedClientAuth(true);
    }
    return engine;
  }

  private synchronized void reloadIfChanged() {
    long now = System.nanoTime();
    if (now - checkedAt < reloadIntervalNanos) {
      return;
    }
    checkedAt = now;
    List<Object> current = stamps();
    if (Objects.equals(current, stamps)) {
      return;
    }
    try {
      context = load();
      stamps = current;
      log.info("HTTPS: read the changed certificate files again; new connections use them");
    } catch (RuntimeException e) {
      // Checked again at the next interval: a rotation that is still being written completes.
      log.warn(
          "HTTPS: the changed certificate files do not load, keeping the previous ones: {}",
          e.getMessage());
    }
  }

  private SSLContext load() {
    return PemFiles.sslContext(settings.certFile(), settings.keyFile(), settings.clientCaFile());
  }

  private List<Object> stamps() {
    List<Object> stamps = new ArrayList<>();
    List<Path> files = new ArrayList<>(List.of(settings.certFile(), settings.keyFile()));
    settings.clientCaFile().ifPresent(files::add);
    for (Path file : files) {
      try {
        stamps.add(Files.getLastModifiedTime(file));
        stamps.add(Files.size(file));
      } catch (IOException e) {
        stamps.add(e.getClass().getName());
      }
    }
    return stamps;
  }
}
