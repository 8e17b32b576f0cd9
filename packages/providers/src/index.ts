export * from './bfl/bfl-image-provider.ts';
export * from './generate-in-calls.ts';
export * from './google/google-image-provider.ts';
export * from './image-dimensions.ts';
export * from './openai/openai-errors.ts';
export * from './openai/openai-image-provider.ts';
export * from './registry.ts';
export * from './spec.ts';
