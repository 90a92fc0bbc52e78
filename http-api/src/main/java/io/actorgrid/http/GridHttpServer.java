package io.actorgrid.http;

import io.actorgrid.grid.Grid;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/** Binds the HTTP API of a running {@link Grid}. */
public final class GridHttpServer {
  private GridHttpServer() {}

  /**
   * Binds the routes on {@code settings}' host and port (0 picks a free port). Coordinated shutdown
   * stops accepting connections first and lets requests in progress finish.
   */
  public static CompletionStage<ServerBinding> start(Grid grid, HttpSettings settings) {
    var system = grid.system();
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(new GridRoutes(grid, settings).routes())
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
