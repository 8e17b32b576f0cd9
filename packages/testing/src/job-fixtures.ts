import type { JobOperation } from '@imagegate/contracts';

/**
 * A well-formed `generate` operation, for tests that record jobs without going through the
 * ingress: the stored job parses (see `parseJobRow`) exactly like one the ingress recorded.
 */
export function generateOperationFixture(options: { n?: number; model?: string; prompt?: string } = {}): JobOperation {
  const n = options.n ?? 1;
  const model = options.model ?? 'gpt-image-2';
  return {
    operation: 'generate',
    request: { model, prompt: options.prompt ?? 'a cube', n, size: '1024x1024' },
    parameters: {
      n,
      size: '1024x1024',
      quality: 'medium',
      background: 'auto',
      outputFormat: 'png',
      providerModel: model,
      protocol: 'openai-images',
      imagesPerCall: 10,
      deadlineMs: 600_000,
      warnings: [],
    },
    route: [],
  };
}
