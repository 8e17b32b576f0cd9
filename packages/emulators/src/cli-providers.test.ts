import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Runs the CLI, hands its first stdout line to `use`, then stops it with SIGTERM and returns the exit code. */
async function withCli(args: string[], use: (url: string) => Promise<void>): Promise<number | null> {
  const child = spawn(process.execPath, [MAIN, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const [url] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    await use(url);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    return code;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe.concurrent('emulator CLI --provider', () => {
  it('serves the Gemini API and writes the service-account file when the provider is google', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'emulator-cli-'));
    try {
      const file = join(dir, 'sa.json');
      const args = ['--provider', 'google', '--api-key', 'AIza-cli', '--service-account-file', file];
      const code = await withCli(args, async (url) => {
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const response = await fetch(`${url}/v1beta/models/gemini-2.5-flash-image:generateContent`, {
          method: 'POST',
          headers: { 'x-goog-api-key': 'AIza-cli', 'content-type': 'application/json' },
          body: JSON.stringify({ contents: [{ parts: [{ text: 'cli' }] }] }),
        });
        expect(response.status).toBe(200);
        const account = JSON.parse(await readFile(file, 'utf8')) as { type: string; token_uri: string };
        expect(account).toMatchObject({ type: 'service_account', token_uri: `${url}/token` });
      });
      expect(code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('accepts submissions when the provider is bfl', async () => {
    const code = await withCli(['--provider', 'bfl', '--api-key', 'bfl-cli', '--render-ms', '0'], async (url) => {
      const response = await fetch(`${url}/v1/flux-2-pro`, {
        method: 'POST',
        headers: { 'x-key': 'bfl-cli', 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'cli' }),
      });
      expect(response.status).toBe(200);
    });
    expect(code).toBe(0);
  });

  it('exits 1 with usage when the provider is unknown', async () => {
    const child = spawn(process.execPath, [MAIN, '--provider', 'midjourney'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('--provider must be one of openai, google, bfl');
  });
});
