import { GatewayError } from '@imagegate/core';
import { PROVIDERS } from '@imagegate/providers';
import { expect } from 'vitest';
import { loadCatalog, RETIRED_MODELS_FILE } from './catalog.ts';
import { resolveParameters } from './parameters.ts';
import type { RequestedParameters } from './requested-parameters.ts';

// The retired models brought back, as an operator would: the cases exercise their size forms too.
const catalog = loadCatalog({ file: RETIRED_MODELS_FILE, providers: PROVIDERS });

/** `resolveParameters` for a model of the default catalog. */
export const resolve = (modelId: string, requested: RequestedParameters) =>
  resolveParameters(catalog.resolve(modelId), requested, catalog.providerOptions);

/** Asserts that `attempt` throws our 400 naming `param`. */
export function expectRefused(attempt: () => unknown, param: string): void {
  let thrown: unknown;
  try {
    attempt();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(GatewayError);
  expect(thrown).toMatchObject({ status: 400, type: 'invalid_request_error', param });
}
