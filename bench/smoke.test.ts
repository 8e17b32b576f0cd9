import { spawn } from 'node:child_process';
import { testServices } from '@imagegate/testing';
import { describe, expect, it } from 'vitest';
import { assertFigureReport, type BenchDocument } from './lib/report.ts';

/** `pnpm bench --smoke`: every figure for about a second, all at once. */
function runSmoke(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const services = testServices();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [new URL('run.ts', import.meta.url).pathname, '--smoke'], {
      env: { ...process.env, BENCH_DATABASE_URL: services.postgresAdminUrl, REDIS_URL: services.redisUrl },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pnpm bench --smoke', () => {
  it('runs every figure and prints one JSON document with each report, the versions and the CPU', async () => {
    const { code, stdout, stderr } = await runSmoke();
    expect(code, stderr.slice(-2000)).toBe(0);
    const document = JSON.parse(stdout) as BenchDocument & { errors: Record<string, string>; smoke: boolean };
    expect(document.errors).toEqual({});
    expect(document.smoke).toBe(true);
    expect(document.figures.map((figure) => figure.name).sort()).toEqual([
      'async-submit',
      'edit-memory',
      'image-memory',
      'rate-limit',
      'redis-footprint',
      'settlement',
      'stream-latency',
      'sync-frontier',
      'sync-overhead',
    ]);
    for (const figure of document.figures) {
      assertFigureReport(figure);
      expect(figure.rounds.length, figure.name).toBeGreaterThan(0);
      expect(Object.keys(figure.targets).length, figure.name).toBeGreaterThan(0);
      expect(figure.pinning, figure.name).toMatch(/applied/);
    }
    expect(document.versions.node).toBe(process.version);
    expect(document.versions.postgres).toMatch(/^\d+\.\d+/);
    expect(document.versions.redis).toMatch(/^\d+\.\d+/);
    expect(document.versions.bullmq).toMatch(/^\d+\.\d+\.\d+$/);
    expect(document.machine.cpu).not.toBe('');
    // Requests that reached imagegate and the emulator answered, even for a second's run.
    const byName = new Map(document.figures.map((figure) => [figure.name, figure]));
    expect(byName.get('sync-overhead')?.results.errors).toBe(0);
    expect(byName.get('image-memory')?.results.errors).toBe(0);
    expect(byName.get('edit-memory')?.results.errors).toBe(0);
    expect(byName.get('stream-latency')?.results.missing_partials).toBe(0);
    expect(byName.get('settlement')?.results.exact).toBe(1);
    expect(byName.get('redis-footprint')?.results.image_bytes).toBe(0);
    expect(byName.get('redis-footprint')?.results.submit_errors).toBe(0);

    // The peer gateway ran in both sync figures, beside imagegate, and answered.
    expect(document.versions.portkey).toMatch(/^\d+\.\d+\.\d+$/);
    for (const name of ['sync-overhead', 'sync-frontier']) {
      const figure = byName.get(name);
      expect(figure?.peer?.name, name).toBe('@portkey-ai/gateway');
      expect(figure?.peer?.version, name).toBe(document.versions.portkey);
      const passes = (figure?.rounds ?? []).map((round) => round.portkey as { ok: number } | undefined);
      expect(passes.length, name).toBeGreaterThan(0);
      for (const pass of passes) expect(pass?.ok, name).toBeGreaterThan(0);
    }
    const overhead = byName.get('sync-overhead')?.results ?? {};
    expect(overhead.portkey_errors).toBe(0);
    const cpuRatios = Object.entries(overhead).filter(([key]) => key.endsWith('.cpu_ratio_vs_portkey'));
    // Keys are `<store>.<topology>.<mode>@<rate>.cpu_ratio_vs_portkey`: one cell per mode at the smoke's rate.
    expect(cpuRatios.map(([key]) => key.split('@')[0]).sort()).toEqual([
      'default.one-process.b64_json',
      'default.one-process.url',
    ]);
    for (const [key, ratio] of cpuRatios) expect(ratio, key).toBeGreaterThan(0);
    const frontier = byName.get('sync-frontier')?.results ?? {};
    expect(Object.keys(frontier)).toContain('s3.split.url.portkey_capacity_per_s');
    // Every figure for about a second, all at once: ~100 s on a quiet 2-core machine, more beside other test files.
  }, 300_000);
});
