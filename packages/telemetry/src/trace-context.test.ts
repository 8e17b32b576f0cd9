import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { contextOfTraceparent, currentTraceparent } from './trace-context.ts';

describe('trace context in a queue entry', () => {
  it('is absent when no span records (tracing off): entries carry nothing', () => {
    expect(currentTraceparent()).toBeUndefined();
  });

  it('continues the trace a traceparent names', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const parent = trace.getSpanContext(contextOfTraceparent(traceparent));
    expect(parent).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
  });

  it.each([undefined, '', 'garbage', '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'])(
    'starts a new trace from %j',
    (traceparent) => {
      expect(contextOfTraceparent(traceparent)).toBe(ROOT_CONTEXT);
    },
  );
});
