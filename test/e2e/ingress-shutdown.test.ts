import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollJob } from '../support/http.ts';
import { type ServiceProcess, spawnServiceProcess } from '../support/service-process.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/**
 * A deploy stops one of two ingresses on one Postgres and Redis while clients wait on it: each
 * gets its result when the job finishes within SHUTDOWN_GRACE_MS, else a 202 with the job (read
 * on through the other ingress), and the process is gone within the grace.
 */
const SHUTDOWN_GRACE_MS = 3_000;

/** A 202's job or a 200's images, as far as the test reads them. */
interface AnswerBody {
  id?: string;
  data?: unknown[];
}

const NO_BODY: AnswerBody = {};

interface IngressProcess extends ServiceProcess {
  url: string;
}

let stack: TestStack;
let account: TestAccount;
const processes: IngressProcess[] = [];

async function spawnIngress(): Promise<IngressProcess> {
  const ingress = await spawnServiceProcess('services/ingress/src/main.ts', 'ingress listening', {
    ...stack.env,
    PORT: '0',
    SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
  });
  const url = ingress.logs().find((line) => line.msg === 'ingress listening')?.url;
  if (typeof url !== 'string') throw new Error('the ingress logged no url');
  const running = { ...ingress, url };
  processes.push(running);
  return running;
}

beforeAll(async () => {
  stack = await startTestStack();
  account = await stack.createAccount('shutdown');
});
afterAll(async () => {
  await Promise.all(processes.map((ingress) => ingress.kill('SIGKILL')));
  await stack?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function jobCount(): Promise<number> {
  const { rows } = await stack.database.pool.query<{ count: string }>(
    'select count(*)::text as count from jobs where account_id = $1',
    [account.accountId],
  );
  return Number(rows[0]?.count ?? 0);
}

/** Sends sync generations (and `Prefer: wait=60` ones) to `ingress`, and waits until all are waiting on their jobs. */
async function waitingRequests(ingress: IngressProcess, prompt: string, counts: { sync: number; preferWait: number }) {
  const before = await jobCount();
  const send = (prefer: string | undefined) =>
    fetch(`${ingress.url}/v1/images/generations`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${account.apiKey}`,
        'content-type': 'application/json',
        ...(prefer === undefined ? {} : { prefer }),
      },
      body: JSON.stringify({ model: 'gpt-image-2', prompt, response_format: 'url' }),
      signal: AbortSignal.timeout(15_000),
    }).then(
      async (response) => ({
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as AnswerBody,
        at: Date.now(),
      }),
      // No answer at all (what a stranded client saw): status 0.
      () => ({ status: 0, headers: new Headers(), body: NO_BODY, at: Date.now() }),
    );
  const answers = [
    ...Array.from({ length: counts.sync }, () => send(undefined)),
    ...Array.from({ length: counts.preferWait }, () => send('wait=60')),
  ];
  const total = counts.sync + counts.preferWait;
  const deadline = Date.now() + 10_000;
  while ((await jobCount()) < before + total && Date.now() < deadline) await sleep(50);
  // Each request registers its wait right after its hold, before enqueueing.
  await sleep(300);
  return { answered: Promise.all(answers) };
}

describe('graceful shutdown of an ingress', () => {
  it('answers 202 with the job and Connection: close when the job outlasts the grace, and exits within it', async () => {
    const [leaving, staying] = await Promise.all([spawnIngress(), spawnIngress()]);
    const { answered } = await waitingRequests(leaving, 'a cat [emulate:latency=8000]', { sync: 4, preferWait: 2 });
    const stoppedAt = Date.now();
    const exit = leaving.kill('SIGTERM').then((result) => ({ ...result, at: Date.now() }));
    const answers = await answered;
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      expect(answer.headers.get('connection')).toBe('close');
      expect(answer.headers.get('location')).toBe(`/v1/images/jobs/${answer.body.id}`);
      expect(answer.at - stoppedAt).toBeLessThan(SHUTDOWN_GRACE_MS);
    }
    const exited = await exit;
    expect(exited.code).toBe(0);
    expect(exited.at - stoppedAt).toBeLessThan(SHUTDOWN_GRACE_MS + 500);
    // The jobs run on; the other ingress serves them, each once.
    for (const answer of answers) {
      const job = await pollJob(staying.url, account.apiKey, answer.body.id ?? '', 20_000);
      expect(job.status).toBe('succeeded');
    }
  }, 60_000);

  it('answers a waiting request with its result when the job finishes within the grace', async () => {
    const [leaving] = await Promise.all([spawnIngress(), spawnIngress()]);
    const { answered } = await waitingRequests(leaving, 'a cat [emulate:latency=1500]', { sync: 3, preferWait: 1 });
    const stoppedAt = Date.now();
    const exit = leaving.kill('SIGTERM').then((result) => ({ ...result, at: Date.now() }));
    const answers = await answered;
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.data).toHaveLength(1);
    }
    const exited = await exit;
    expect(exited.code).toBe(0);
    expect(exited.at - stoppedAt).toBeLessThan(SHUTDOWN_GRACE_MS + 500);
  }, 60_000);

  it('ends a stream without an error, naming its job, when the job outlasts the grace', async () => {
    const [leaving, staying] = await Promise.all([spawnIngress(), spawnIngress()]);
    const response = await fetch(`${leaving.url}/v1/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-image-2', prompt: 'a cat [emulate:latency=8000]', stream: true }),
    });
    const jobId = response.headers.get('x-imagegate-job-id') ?? '';
    const text = response.text();
    await sleep(300);
    const stoppedAt = Date.now();
    const exited = await leaving.kill('SIGTERM');
    const body = await text;
    expect(exited.code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(SHUTDOWN_GRACE_MS + 500);
    expect(body).toContain(`: the job is still running; GET /v1/images/jobs/${jobId}`);
    expect(body).not.toContain('event: error');
    const job = await pollJob(staying.url, account.apiKey, jobId, 20_000);
    expect(job.status).toBe('succeeded');
  }, 60_000);
});
