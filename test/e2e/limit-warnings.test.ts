import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, type JsonResponse, pollJob } from '../support/http.ts';
import { type ServiceProcess, spawnServiceProcess } from '../support/service-process.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * Limits that explain themselves. OpenAI is limited to 60 calls a minute, one at a time, so jobs
 * start one by one about a second apart, in order. The answers go through an ingress of its own
 * process, whose log the test reads; the stack's worker serves the jobs.
 */
const LIMIT = 'openai=60rpm/1';
const HOLD_LOG = 'provider limit is holding jobs back';

let stack: TestStack;
let account: TestAccount;
let ingress: ServiceProcess;
let baseURL: string;

beforeAll(async () => {
  stack = await startTestStack({ env: { PROVIDER_LIMITS: LIMIT } });
  account = await stack.createAccount('limit-warnings', 100);
  ingress = await spawnServiceProcess('services/ingress/src/main.ts', 'ingress listening', {
    ...stack.env,
    PORT: '0',
  });
  const url = ingress.logs().find((line) => line.msg === 'ingress listening')?.url;
  if (typeof url !== 'string') throw new Error('the ingress logged no url');
  baseURL = `${url}/v1`;
});
afterAll(async () => {
  await ingress?.kill('SIGKILL');
  await stack?.stop();
});

interface JobBody {
  id: string;
  status: string;
  queue_position: number | null;
  estimated_start_at: number | null;
  extra: { warnings: string[] };
}

function submit(prompt: string, headers: Record<string, string> = { prefer: 'respond-async' }) {
  return callJson<JobBody & { data?: unknown[] }>(`${baseURL}/images/generations`, {
    apiKey: account.apiKey,
    headers,
    body: { model: 'gpt-image-2', prompt, quality: 'low' },
  });
}

const heldWarning = (body: { extra: { warnings: string[] } }) =>
  body.extra.warnings.find((warning) => warning.includes('60 requests/min'));

/** When the upstream received the call of each prompt (ms), from the emulator's record. */
function callTimesByPrompt(): Map<string, number> {
  const stats = stack.emulator.stats();
  const prompts = stats.lastRequests.map((body) => (body as { prompt: string }).prompt);
  return new Map(prompts.map((prompt, index) => [prompt, stats.callTimes[index] ?? Number.NaN]));
}

describe('a job held back by its provider limit', () => {
  it('is not said of a job nobody waits ahead of: no warning, no Retry-After', async () => {
    const first = await submit('alone');
    expect(first.status).toBe(202);
    expect(first.headers.get('retry-after')).toBeNull();
    expect(first.body.extra.warnings).toEqual([]);
    expect((await pollJob(baseURL.replace(/\/v1$/, ''), account.apiKey, first.body.id)).status).toBe('succeeded');
  });

  it('says which limit holds it, how many jobs are ahead and when it should start; Retry-After is about when it starts', async () => {
    await sleep(2_000); // the limiter's next slot is free again
    const burst: { prompt: string; sentAt: number; response: JsonResponse<JobBody> }[] = [];
    for (let index = 0; index < 7; index++) {
      const prompt = `burst ${index}`;
      const sentAt = Date.now();
      burst.push({ prompt, sentAt, response: await submit(prompt) });
    }
    expect(burst.map((entry) => entry.response.status)).toEqual(Array(7).fill(202));

    // Read while it waits, the last job says so too.
    const last = burst.at(-1) as (typeof burst)[number];
    const read = await callJson<JobBody>(`${baseURL}/images/jobs/${last.response.body.id}`, { apiKey: account.apiKey });
    expect(read.body.status).toBe('queued');
    expect(heldWarning(read.body)).toMatch(/\d+ jobs ahead of it; expected to start in about \d+ s/);

    // A request that waits for its images behind the same backlog is told why it waited.
    const waited = await submit('waited', {});
    expect(waited.status).toBe(200);
    expect(heldWarning(waited.body)).toMatch(/^This job waited in the queue because provider 'openai' is limited to/);

    const ended = await Promise.all(
      burst.map((entry) => pollJob(baseURL.replace(/\/v1$/, ''), account.apiKey, entry.response.body.id, 30_000)),
    );
    expect(ended.map((job) => job.status)).toEqual(Array(7).fill('succeeded'));
    const calledAt = callTimesByPrompt();

    const held = burst.filter((entry) => entry.response.headers.get('retry-after') !== null);
    // One job a second: all but the first two or so wait a second or more.
    expect(held.length).toBeGreaterThanOrEqual(4);
    expect(held.at(-1)).toBe(last);
    for (const { prompt, sentAt, response } of held) {
      const warning = heldWarning(response.body);
      expect(warning).toMatch(
        /^This job is queued behind a provider limit: provider 'openai' is limited to 60 requests\/min, 1 at once\. \d+ jobs? ahead of it; expected to start in about \d+ s \(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)\.$/,
      );
      const retryAfterS = Number(response.headers.get('retry-after'));
      expect(retryAfterS).toBeGreaterThanOrEqual(1);
      // The body's estimate and the header say the same wait.
      expect(
        Math.abs((response.body.estimated_start_at as number) - (sentAt / 1000 + retryAfterS)),
      ).toBeLessThanOrEqual(2);
      // It started within a few seconds of when it was said to: not a guess off by minutes.
      const startedAfterS = ((calledAt.get(prompt) as number) - sentAt) / 1000;
      expect(startedAfterS).toBeGreaterThanOrEqual(retryAfterS - 2.5);
      expect(startedAfterS).toBeLessThanOrEqual(retryAfterS + 3);
    }
    // The jobs that are not held back say nothing of it.
    for (const { response } of burst.filter((entry) => !held.includes(entry))) {
      expect(response.body.extra.warnings).toEqual([]);
    }

    // The log said it once for all those answers (once a minute per provider), with what an operator needs.
    const logged = ingress.logs().filter((line) => line.msg === HOLD_LOG);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 40,
      provider: 'openai',
      cause: 'rate_limit',
      limit: '60 requests/min, 1 at once',
      hint: expect.stringContaining('raise PROVIDER_LIMITS'),
    });
    expect(logged[0]?.waiting).toBeGreaterThanOrEqual(1);
    expect(logged[0]?.estimatedWaitS).toBeGreaterThanOrEqual(1);
  });

  it('names an upstream 429 as what holds it while the provider is paused, until about when it resumes', async () => {
    await sleep(1_500); // the backlog above has drained
    stack.emulator.faults.enqueue({ type: 'rate_limit', retryAfterS: 6 });
    const limited = await submit('meets the 429');
    // The worker meets the 429 and pauses the provider for 6 s; then another job arrives.
    for (let tries = 0; ; tries++) {
      const job = await callJson<{ routing: { attempts: { status: string }[] } }>(
        `${baseURL}/images/jobs/${limited.body.id}`,
        { apiKey: account.apiKey },
      );
      if (job.body.routing.attempts.some((attempt) => attempt.status === 'rate_limited')) break;
      if (tries > 50) throw new Error('the job never met the 429');
      await sleep(100);
    }
    await sleep(300); // past the ingress's quarter-second read
    const sentAt = Date.now();
    const paused = await submit('while paused');
    expect(paused.status).toBe(202);
    expect(heldWarning(paused.body)).toContain("provider 'openai' answered 429 (rate limited) and asked for a pause");
    const retryAfterS = Number(paused.headers.get('retry-after'));
    expect(retryAfterS).toBeGreaterThanOrEqual(4);
    expect(retryAfterS).toBeLessThanOrEqual(8);
    const done = await pollJob(baseURL.replace(/\/v1$/, ''), account.apiKey, paused.body.id, 30_000);
    expect(done.status).toBe('succeeded');
    const startedAfterS = ((callTimesByPrompt().get('while paused') as number) - sentAt) / 1000;
    expect(startedAfterS).toBeGreaterThanOrEqual(retryAfterS - 2.5);
    expect(startedAfterS).toBeLessThanOrEqual(retryAfterS + 3);
  });
});
