import type { Telemetry } from '@imagegate/telemetry';
import { contextOfTraceparent } from '@imagegate/telemetry';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import type { MatchedPath } from '../openapi/route-matcher.ts';

/**
 * Counts every request by route template, method and status and times it; with tracing on, runs
 * it in a server span (continuing a caller's `traceparent`), which the hold, the enqueue and the
 * queue entry then carry on. The route label is the template of a known path, `unmatched`
 * otherwise: never the path itself (ids would make it unbounded).
 */
export function observeRequests(telemetry: Telemetry, matchPath: (path: string) => MatchedPath | undefined) {
  const { metrics, tracing } = telemetry;
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const route = () => matchPath(request.path)?.template ?? 'unmatched';
    const span = tracing.enabled
      ? tracing.tracer.startSpan(
          `${request.method} ${route()}`,
          { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': request.path } },
          contextOfTraceparent(request.header('traceparent')),
        )
      : undefined;
    response.once('close', () => {
      const labels = { route: route(), method: request.method };
      const status = response.headersSent ? response.statusCode : 499;
      metrics.httpRequests.inc({ ...labels, status: String(status) });
      metrics.httpRequestDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      if (span === undefined) return;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    if (span === undefined) {
      next();
      return;
    }
    // The rest of the request runs in the span: AsyncLocalStorage (Node 24's async context frames)
    // carries it across awaits and the body parser's stream callbacks alike.
    context.with(trace.setSpan(context.active(), span), next);
  };
}
