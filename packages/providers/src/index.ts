export * from './openai/openai-errors.ts';
export * from './openai/openai-image-provider.ts';
export * from './registry.ts';
export * from './spec.ts';
