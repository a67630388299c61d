/** The stream process's Prometheus metrics; socket and room counts are read from Socket.io at scrape time. */
import { Counter, childMap, Gauge, type Registry } from "@ox/metrics";

export interface StreamMetricsSource {
  /** Sockets connected to this process. */
  sockets(): number;
  /** Market rooms with at least one local socket. */
  rooms(): number;
}

export interface StreamMetrics {
  /** One message emitted (to a room or a socket), by message name. */
  emitted(name: string): void;
  /** A subscribe for a market the socket had already joined: the client saw a seq gap. */
  resubscribed(): void;
  /** A socket disconnected because it did not drain its buffer. */
  slowConsumerDropped(): void;
  watch(source: StreamMetricsSource): void;
}

export function createStreamMetrics(registry: Registry): StreamMetrics {
  const registers = [registry];
  let source: StreamMetricsSource | null = null;
  new Gauge({
    name: "ox_stream_sockets",
    help: "Sockets connected to this stream process",
    registers,
    collect() {
      this.set(source?.sockets() ?? 0);
    },
  });
  new Gauge({
    name: "ox_stream_rooms",
    help: "Market rooms with at least one socket on this process",
    registers,
    collect() {
      this.set(source?.rooms() ?? 0);
    },
  });
  const messages = new Counter({
    name: "ox_stream_messages_total",
    help: "Messages emitted, by name (a room broadcast counts once)",
    labelNames: ["name"],
    registers,
  });
  const resubscribes = new Counter({
    name: "ox_stream_resubscribes_total",
    help: "Subscribes for a market the socket had already joined (clients resubscribe after a seq gap)",
    registers,
  });
  const slow = new Counter({
    name: "ox_stream_slow_consumers_dropped_total",
    help: "Sockets disconnected because their send buffer kept growing",
    registers,
  });
  const byName = childMap((name) => messages.labels(name));
  return {
    emitted: (name) => byName(name).inc(),
    resubscribed: () => resubscribes.inc(),
    slowConsumerDropped: () => slow.inc(),
    watch(s) {
      source = s;
    },
  };
}
