package io.actorgrid.http;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;

/**
 * The Prometheus registry a node started by {@link Main} measures itself in, and how {@code GET
 * /metrics} finds it in a {@link io.actorgrid.grid.Grid}'s registry.
 */
public final class PrometheusMetrics {
  private static final String PREFIX = "actorgrid.";

  private PrometheusMetrics() {}

  /**
   * A Prometheus registry with the JVM's memory, GC, thread and processor meters bound. Every meter
   * name gets the {@code actorgrid.} prefix (the JVM's become {@code actorgrid_jvm_...}), so one
   * prefix selects everything a node exposes.
   */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                return id.getName().startsWith(PREFIX) ? id : id.withName(PREFIX + id.getName());
              }
            });
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    return registry;
  }

  /** The Prometheus registry in {@code registry}: itself, or one of a composite's. */
  static Optional<PrometheusMeterRegistry> find(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      return Optional.of(prometheus);
    }
    if (registry instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry inner : composite.getRegistries()) {
        Optional<PrometheusMeterRegistry> found = find(inner);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }
}
