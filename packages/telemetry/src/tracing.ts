import { ProxyTracerProvider, type Tracer } from '@opentelemetry/api';

/** Where spans go: an OTLP/HTTP exporter when configured, nowhere otherwise. */
export interface Tracing {
  tracer: Tracer;
  /** Whether spans are recorded and exported (`OTEL_EXPORTER_OTLP_ENDPOINT` set). */
  enabled: boolean;
  /** Sends the spans ended so far (tests; shutdown does it too). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: the collector's base URL; spans go to `<endpoint>/v1/traces`. */
  endpoint?: string | undefined;
  /** `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`: the full traces URL, taking precedence over `endpoint`. */
  tracesEndpoint?: string | undefined;
  /** `service.name` of the spans (`OTEL_SERVICE_NAME`, else the service's own name). */
  serviceName: string;
}

/** A tracer that records nothing, without touching OpenTelemetry's globals. */
export function disabledTracing(): Tracing {
  const nothing = async () => {};
  return {
    tracer: new ProxyTracerProvider().getTracer('imagegate'),
    enabled: false,
    flush: nothing,
    shutdown: nothing,
  };
}

/**
 * Tracing as configured: disabled (and the SDK never loaded) without an endpoint; otherwise a
 * tracer provider of this process's own (not registered globally) batching spans to the OTLP/HTTP
 * endpoint. The one global it sets is the AsyncLocalStorage context manager, which carries the
 * active span across awaits and holds no state of its own.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const url = options.tracesEndpoint ?? tracesUrlOf(options.endpoint);
  if (url === undefined) return disabledTracing();
  const [{ context }, { AsyncLocalStorageContextManager }, { OTLPTraceExporter }, sdk, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/resources'),
    ]);
  // Set once per process; a second call (another service in this process) keeps the first.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [
      new sdk.BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }), scheduledDelayMillis: 1_000 }),
    ],
  });
  return {
    tracer: provider.getTracer('imagegate'),
    enabled: true,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

function tracesUrlOf(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined || endpoint.trim() === '') return undefined;
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}
