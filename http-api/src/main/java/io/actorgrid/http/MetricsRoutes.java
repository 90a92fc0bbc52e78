package io.actorgrid.http;

import io.actorgrid.grid.Grid;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: the node's meters in the Prometheus text format (or another format
 * Prometheus asks for in {@code Accept}: OpenMetrics, protobuf). With authentication on it needs a
 * valid token, whatever its grants (see {@link Authorization}); without, it is open.
 *
 * <p>The meters are in the grid's registry (see {@link Grid#meterRegistry()}); a node started
 * without a Prometheus registry answers 404 here.
 */
final class MetricsRoutes extends AllDirectives {
  private final Optional<PrometheusMeterRegistry> registry;
  private final ExpositionFormats formats = ExpositionFormats.init();
  private final Problems problems;

  MetricsRoutes(RouteHelpers helpers) {
    this.registry = PrometheusMetrics.find(helpers.grid().meterRegistry());
    this.problems = helpers.problems();
  }

  Route route() {
    return path("metrics", () -> get(this::scrape));
  }

  private Route scrape() {
    if (registry.isEmpty()) {
      return complete(
          problems.problem(
              404,
              "Not found",
              "this node has no Prometheus registry: start its grid with"
                  + " Grid.start(config, PrometheusMetrics.newRegistry())"));
    }
    return optionalHeaderValueByName(
        "Accept",
        accept -> {
          ExpositionFormatWriter writer = formats.findWriter(accept.orElse(null));
          ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
          try {
            registry.get().scrape(out, writer.getContentType());
          } catch (IOException e) {
            throw new IllegalStateException("writing the metrics to memory failed", e);
          }
          return complete(
              HttpResponse.create()
                  .withEntity(
                      HttpEntities.create(
                          ContentTypes.parse(writer.getContentType()), out.toByteArray())));
        });
  }
}
