import { Socket } from 'node:net';
import { ERROR_CODE_DETAILS, isErrorCode } from '@imagegate/core';
import { createSeededRng } from '@imagegate/emulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BadInputCase,
  type FetchCase,
  Fuzz,
  generateCases,
  type RawCase,
  VALID_BODY,
} from '../support/bad-input-cases.ts';
import { callJson, type ErrorEnvelope } from '../support/http.ts';
import { parseRawAnswers } from '../support/raw-http.ts';
import { startTestStack, type TestAccount, type TestStack } from '../support/stack.ts';

/** `FUZZ_SEED=<n>` replays a storm; `FUZZ_COUNT` sizes it. */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000_007);
const COUNT = Number(process.env.FUZZ_COUNT ?? 3_000);
const IN_FLIGHT = 20;
const REQUEST_TIMEOUT_MS = 15_000;

/** Error statuses a hostile request may get; 5xx never (a 500 is a bug, a 503 would mean we fell over). */
const ERROR_STATUSES = new Set([400, 401, 404, 405, 409, 413, 414, 415, 422, 431]);
const ERROR_TYPES = new Set(['invalid_request_error', 'authentication_error', 'insufficient_balance']);

const publicResolver = async (hostname: string) => [
  { address: hostname === 'internal.example' ? '10.1.2.3' : '93.184.216.34', family: 4 as const },
];

let stack: TestStack;
/** No money at all: whatever it sends, nothing can be held or charged. */
let broke: TestAccount;
let funded: TestAccount;
let foreignJobId: string;

beforeAll(async () => {
  stack = await startTestStack({ resolveHost: publicResolver });
  broke = await stack.createAccount('fuzz-broke', 0);
  funded = await stack.createAccount('fuzz-funded', 10);
  const job = await callJson<{ id: string }>(`${stack.url}/v1/images/generations`, {
    apiKey: funded.apiKey,
    body: VALID_BODY,
    headers: { prefer: 'respond-async' },
  });
  expect(job.status).toBe(202);
  foreignJobId = job.body.id;
});
afterAll(async () => {
  await stack?.stop();
});

interface Answer {
  status: number;
  contentType: string;
  requestId: string | null;
  text: string;
}

async function sendFetch(testCase: FetchCase): Promise<Answer | string> {
  try {
    const response = await fetch(`${stack.url}${testCase.path}`, {
      method: testCase.method,
      headers: testCase.headers,
      body: testCase.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      requestId: response.headers.get('x-request-id'),
      text: await response.text(),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    // fetch refusing to send a header is the client's business; a reset or timeout is ours.
    if (error instanceof TypeError && cause?.code === undefined && !String(error.message).includes('fetch failed')) {
      return 'refused by fetch';
    }
    if ((error as Error).name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS} ms`;
    // A body over the limit may be cut off while it is still being sent; that is a fine answer.
    if (cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'EPIPE' || cause?.code === 'ECONNRESET') {
      return 'connection closed';
    }
    return `fetch failed: ${String(error)} ${String(cause?.code ?? '')}`;
  }
}

/** Every `HTTP/1.x NNN` answer on a raw connection, until it closes or goes quiet. */
function sendRaw(testCase: RawCase): Promise<Answer[]> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    const finish = () => {
      socket.destroy();
      resolve(parseRawAnswers(Buffer.concat(chunks).toString('latin1')));
    };
    const quiet = setTimeout(finish, 2_000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => {
      clearTimeout(quiet);
      finish();
    });
    socket.on('error', () => {});
    const { port, hostname } = new URL(stack.url);
    socket.connect(Number(port), hostname, () => socket.write(testCase.bytes));
  });
}

/** What is wrong with an answer, or undefined if it is a fine answer to a hostile request. */
function judge(testCase: BadInputCase, answer: Answer): string | undefined {
  // Raw requests come from the zero-balance account too; node keeps the first of two Authorization headers.
  const generation = testCase.kind === 'raw' || testCase.generation === true;
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status < 400) {
    if (testCase.mayWork) return undefined;
    return `answered ${answer.status} to a request that cannot be valid: ${answer.text.slice(0, 200)}`;
  }
  if (!ERROR_STATUSES.has(answer.status) && !(generation && answer.status === 402)) {
    return `answered ${answer.status}, not a status for bad input`;
  }
  if (!answer.contentType.startsWith('application/json')) {
    return `error ${answer.status} is not JSON (${answer.contentType || 'no content type'}): ${answer.text.slice(0, 100)}`;
  }
  let envelope: ErrorEnvelope;
  try {
    envelope = JSON.parse(answer.text) as ErrorEnvelope;
  } catch {
    return `error ${answer.status} body is not JSON: ${answer.text.slice(0, 100)}`;
  }
  const error = envelope?.error;
  if (
    typeof error !== 'object' ||
    error === null ||
    typeof error.message !== 'string' ||
    error.message.length === 0 ||
    !ERROR_TYPES.has(error.type) ||
    !(error.param === null || typeof error.param === 'string') ||
    !(error.code === null || typeof error.code === 'string')
  ) {
    return `error ${answer.status} is not the OpenAI envelope: ${answer.text.slice(0, 200)}`;
  }
  if (error.code !== null) {
    if (!isErrorCode(error.code)) return `error code ${error.code} is not one of ERROR_CODES`;
    const listed = ERROR_CODE_DETAILS[error.code];
    if (listed.status !== answer.status || listed.type !== error.type) {
      return `error code ${error.code} came as ${answer.status} ${error.type}, listed as ${listed.status} ${listed.type}`;
    }
  }
  if (/\.ts:\d+|\bat .+\(.*\)/.test(error.message))
    return `error message leaks a stack: ${error.message.slice(0, 200)}`;
  if (testCase.kind === 'fetch' && answer.requestId === null) return 'no x-request-id';
  // A field's value that is not JSON (`"n":01`) makes the whole body invalid JSON: no param to name.
  const fieldAtFault = answer.status !== 402 && answer.status !== 401 && error.code !== 'invalid_json';
  if (testCase.kind === 'fetch' && testCase.param !== undefined && fieldAtFault) {
    const named = error.param ?? '';
    const fits = testCase.param.some((param) => named === param || named.startsWith(`${param}.`));
    if (!fits) return `error names param ${JSON.stringify(error.param)}, expected ${testCase.param.join(' or ')}`;
  }
  return undefined;
}

/** The problems with the answers to one case, and what the answers were (`431`, `closed`…) for the tally. */
async function runCase(testCase: BadInputCase): Promise<{ problems: string[]; outcomes: string[] }> {
  if (testCase.kind === 'raw') {
    const answers = await sendRaw(testCase);
    return {
      problems: answers.flatMap((answer) => judge(testCase, answer) ?? []),
      outcomes: answers.length === 0 ? ['closed'] : answers.map((answer) => String(answer.status)),
    };
  }
  const answer = await sendFetch(testCase);
  if (answer === 'refused by fetch' || answer === 'connection closed') return { problems: [], outcomes: [answer] };
  if (typeof answer === 'string') return { problems: [answer], outcomes: ['failed'] };
  return { problems: [judge(testCase, answer) ?? []].flat(), outcomes: [String(answer.status)] };
}

async function accountMoney(account: TestAccount) {
  const { rows } = await stack.database.pool.query<{ balance: string; held: string; entries: string; jobs: string }>(
    `select (select balance_micros from accounts where id = $1)::text as balance,
            (select held_micros from accounts where id = $1)::text as held,
            (select count(*) from ledger_entries where account_id = $1)::text as entries,
            (select count(*) from jobs where account_id = $1)::text as jobs`,
    [account.accountId],
  );
  return rows[0];
}

describe('bad input', () => {
  it('survives a storm of hostile requests with 4xx envelopes and never charges', async () => {
    const before = await accountMoney(broke);
    const cases = generateCases(new Fuzz(createSeededRng(SEED)), COUNT, {
      apiKey: broke.apiKey,
      foreignJobId,
    });
    const problems: string[] = [];
    const tally = new Map<string, number>();
    const started = Date.now();
    let next = 0;
    const lane = async () => {
      for (;;) {
        const testCase = cases[next++];
        if (testCase === undefined) return;
        const result = await runCase(testCase);
        for (const problem of result.problems) problems.push(`${testCase.label}: ${problem}`);
        for (const outcome of result.outcomes) tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    const seconds = (Date.now() - started) / 1000;
    const outcomes = [...tally].map(([outcome, count]) => `${outcome}: ${count}`).join(', ');
    process.stderr.write(
      `[bad-input] ${cases.length} requests in ${seconds.toFixed(1)} s, seed ${SEED} (${outcomes})\n`,
    );
    // Distinct problems, under the seed that replays them.
    expect([...new Set(problems)], `replay with FUZZ_SEED=${SEED}`).toEqual([]);
    // The storm reached the server: fetch refusing a header or a cut-off upload is the exception.
    const unanswered = (tally.get('refused by fetch') ?? 0) + (tally.get('connection closed') ?? 0);
    expect(unanswered, outcomes).toBeLessThan(cases.length * 0.05);
    expect(await accountMoney(broke), `replay with FUZZ_SEED=${SEED}`).toEqual(before);
  }, 120_000);

  it('is still healthy and still serves a valid request after the storm', async () => {
    const health = await fetch(`${stack.url}/healthz`);
    expect(health.status).toBe(200);
    const response = await callJson<{ data: unknown[] }>(`${stack.url}/v1/images/generations`, {
      apiKey: funded.apiKey,
      body: VALID_BODY,
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toHaveLength(1);
  });
});

/** Requests the storm once answered with a 500 or a bare status, pinned to the answer they get now. */
describe('regressions found by the storm', () => {
  const generations = () => `${stack.url}/v1/images/generations`;
  const sendJson = (body: string, headers: Record<string, string> = {}) =>
    fetch(generations(), {
      method: 'POST',
      headers: { authorization: `Bearer ${broke.apiKey}`, 'content-type': 'application/json', ...headers },
      body,
    });

  it.each<[string, string, number, string | null, string]>([
    ['a NUL in the prompt', '{"model":"gpt-image-2","prompt":"a\\u0000cat"}', 400, 'prompt', 'invalid_value'],
    ['a NUL in user', '{"model":"gpt-image-2","prompt":"a cat","user":"\\u0000"}', 400, 'user', 'invalid_value'],
    [
      'a lone surrogate in a metadata value',
      '{"model":"gpt-image-2","prompt":"a cat","metadata":{"k":"\\ud800"}}',
      400,
      'metadata.k',
      'invalid_value',
    ],
    [
      'a lone surrogate in a metadata key',
      '{"model":"gpt-image-2","prompt":"a cat","metadata":{"\\udc00":"v"}}',
      400,
      'metadata',
      'invalid_value',
    ],
    [
      'an option named after an Object.prototype member',
      '{"model":"gpt-image-2","prompt":"a cat","provider_options":{"openai":{"hasOwnProperty":"x"}}}',
      400,
      'provider_options.openai.hasOwnProperty',
      'invalid_value',
    ],
    [
      'an option that camelCases to an Object.prototype member',
      '{"model":"gpt-image-2","prompt":"a cat","providerOptions":{"openai":{"to_string":1}}}',
      400,
      'providerOptions.openai.to_string',
      'invalid_value',
    ],
    [
      'another provider’s options nested 5000 deep',
      `{"model":"gpt-image-2","prompt":"a cat","provider_options":{"googleVertex":{"x":${'['.repeat(5_000)}${']'.repeat(5_000)}}}}`,
      400,
      'provider_options.googleVertex.x.0',
      'invalid_value',
    ],
  ])('refuses %s with 400 naming the field', async (_name, body, status, param, code) => {
    const response = await sendJson(body);
    expect(response.status).toBe(status);
    expect(((await response.json()) as ErrorEnvelope).error).toMatchObject({ param, code });
  });

  it('refuses an admin account name Postgres cannot store with 400', async () => {
    const response = await fetch(`${stack.url}/admin/v1/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
      body: '{"name":"evil\\u0000"}',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorEnvelope).error).toMatchObject({ param: 'name', code: 'invalid_value' });
  });

  it.each(['/v1/images/jobs/%ff', '/v1/models/%E0%A4%A', '/v1/images/jobs/%/cancel'])(
    'answers a path that is not valid percent-encoding (%s) with 400 invalid_url',
    async (path) => {
      const response = await fetch(`${stack.url}${path}`, {
        method: path.endsWith('/cancel') ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${broke.apiKey}` },
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as ErrorEnvelope).error).toMatchObject({ code: 'invalid_url' });
    },
  );

  it.each(['gzip', 'deflate', 'br'])(
    'answers a %s body that does not inflate with 400 invalid_body',
    async (encoding) => {
      const response = await sendJson('not compressed', { 'content-encoding': encoding });
      expect(response.status).toBe(400);
      expect(((await response.json()) as ErrorEnvelope).error).toMatchObject({ code: 'invalid_body' });
    },
  );

  it.each<[string, string, number, string]>([
    [
      'oversized headers',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Huge: ${'h'.repeat(20_000)}`,
      431,
      'request_header_fields_too_large',
    ],
    [
      'two Content-Lengths',
      'POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3',
      400,
      'invalid_http_request',
    ],
    ['an unknown method', 'FOO /v1/models HTTP/1.1\r\nHost: x', 400, 'invalid_http_request'],
    [
      'a chunked body that is not chunked',
      'POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz',
      400,
      'invalid_http_request',
    ],
  ])('answers a request node cannot parse (%s) with the envelope', async (_name, head, status, code) => {
    const [answer] = await sendRaw({ kind: 'raw', label: 'regression', bytes: Buffer.from(`${head}\r\n\r\n`) });
    expect(answer?.status).toBe(status);
    expect(answer?.contentType).toMatch(/^application\/json/);
    expect((JSON.parse(answer?.text ?? '') as ErrorEnvelope).error).toMatchObject({
      type: 'invalid_request_error',
      code,
    });
  });
});
