import { spawn } from 'node:child_process';
import { RETIRED_MODELS_FILE } from '@imagegate/catalog';
import {
  type RunningBflEmulator,
  type RunningEmulator,
  type RunningGoogleEmulator,
  startBflEmulator,
  startGoogleEmulator,
  startOpenAIEmulator,
} from '@imagegate/emulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `pnpm imagegate catalog check` against the three emulators, which list what the upstreams serve today. */

let openai: RunningEmulator;
let google: RunningGoogleEmulator;
let bfl: RunningBflEmulator;

beforeAll(async () => {
  [openai, google, bfl] = await Promise.all([startOpenAIEmulator(), startGoogleEmulator(), startBflEmulator()]);
});
afterAll(async () => {
  await Promise.all([openai?.close(), google?.close(), bfl?.close()]);
});

interface Report {
  checked: string[];
  missing: { protocol: string; model: string }[];
  gone: { protocol: string; model: string }[];
  passedDates: { model: string; date: string; event: string }[];
}

function catalogCheck(env: Record<string, string>): Promise<{ code: number | null; report: Report; stderr: string }> {
  const cli = new URL('../../infra/local/src/cli.ts', import.meta.url).pathname;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'catalog', 'check'], {
      env: {
        PATH: process.env.PATH ?? '',
        OPENAI_API_KEY: openai.apiKey,
        OPENAI_BASE_URL: openai.url,
        GEMINI_API_KEY: google.apiKey,
        GEMINI_BASE_URL: google.url,
        BFL_API_KEY: bfl.apiKey,
        BFL_BASE_URL: bfl.url,
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => resolve({ code, report: (stdout ? JSON.parse(stdout) : {}) as Report, stderr }));
  });
}

describe('pnpm imagegate catalog check', () => {
  it('finds the default catalog in step with the upstreams, but for the endpoints BFL serves that it lacks', async () => {
    const { code, report, stderr } = await catalogCheck({});
    expect(code, stderr).toBe(0);
    expect(report.checked).toEqual(['openai-images', 'gemini', 'bfl-flux']);
    expect(report.gone).toEqual([]);
    // FLUX1.1 [pro] Ultra is not offered (FLUX.2 and FLUX 3 replace it).
    expect(report.missing).toEqual([{ protocol: 'bfl-flux', model: 'flux-pro-1.1-ultra' }]);
    expect(report.passedDates).toEqual(
      expect.arrayContaining([
        { model: 'gemini-3.1-flash-image', date: '2026-10-06', event: 'deprecated', status: 'deprecated' },
      ]),
    );
  });

  it('names a model brought back that the upstream no longer lists', async () => {
    const { code, report, stderr } = await catalogCheck({ CATALOG_FILE: RETIRED_MODELS_FILE });
    expect(code, stderr).toBe(0);
    expect(report.gone).toEqual(
      expect.arrayContaining([
        { protocol: 'openai-images', model: 'gpt-image-1.5', providerModel: 'gpt-image-1.5' },
        { protocol: 'openai-images', model: 'gpt-image-1-mini', providerModel: 'gpt-image-1-mini' },
      ]),
    );
  });
});
