import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('emulator CLI', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('prints the base URL, serves requests and exits 0 on %s', async (signal) => {
    const child = spawn(process.execPath, [MAIN, '--port', '0', '--api-key', 'sk-cli', '--latency-ms', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const [firstLine] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      expect(firstLine).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const response = await fetch(`${firstLine}/images/generations`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-cli', 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'cli', model: 'gpt-image-1' }),
      });
      expect(response.status).toBe(200);
      child.kill(signal);
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('exits 1 with usage when an option is invalid', async () => {
    const child = spawn(process.execPath, [MAIN, '--latency-ms', 'soon'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('--latency-ms must be a non-negative integer');
  });
});
