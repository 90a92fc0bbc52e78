package io.actorgrid.http;

import io.actorgrid.grid.Grid;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * Binds the HTTP API of a running {@link Grid}: HTTPS only when {@code actorgrid.http.tls} names a
 * certificate (no plain listener then), plain HTTP otherwise. Every connection passes the {@link
 * IdleConnectionGuard}.
 */
public final class GridHttpServer {
  private GridHttpServer() {}

  /**
   * Binds the routes on {@code settings}' host and port (0 picks a free port). Coordinated shutdown
   * stops accepting connections first and lets requests in progress finish.
   */
  public static CompletionStage<ServerBinding> start(Grid grid, HttpSettings settings) {
    var system = grid.system();
    ServerBuilder server = Http.get(system).newServerAt(settings.host(), settings.port());
    if (settings.tls().isPresent()) {
      ServerTls tls = new ServerTls(settings.tls().get());
      server = server.enableHttps(ConnectionContext.httpsServer(tls::newEngine));
    }
    Flow<HttpRequest, HttpResponse, NotUsed> routes =
        BidiFlow.fromGraph(new IdleConnectionGuard(settings.connectionIdleTimeout()))
            .join(new GridRoutes(grid, settings).routes().flow(system));
    return server
        .bindFlow(routes)
        .thenApplyAsync(
            binding -> {
              CoordinatedShutdown.get(system)
                  .addTask(
                      CoordinatedShutdown.PhaseServiceUnbind(),
                      "http-unbind",
                      () -> binding.unbind().thenApply(ignored -> Done.getInstance()));
              CoordinatedShutdown.get(system)
                  .addTask(
                      CoordinatedShutdown.PhaseServiceRequestsDone(),
                      "http-drain",
                      () ->
                          binding
                              .terminate(Duration.ofSeconds(5))
                              .thenApply(ignored -> Done.getInstance()));
              return binding;
            },
            system.executionContext());
  }
}
