import { type Attributes, type Context, context, type Span, SpanStatusCode, type Tracer } from '@opentelemetry/api';

/**
 * Runs `work` inside a span named `name` (a child of the active span, or of `parent`), ending it
 * when the work settles and marking it as an error when the work throws. With tracing off the span
 * is a no-op and this costs a function call.
 */
export async function inSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
