/**
 * Generated hostile requests for the bad-input fault suite. Every generator draws from one seeded
 * RNG, so a seed names the exact storm that ran; nothing here talks to the network.
 */

export class Fuzz {
  readonly random: () => number;
  constructor(random: () => number) {
    this.random = random;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  chance(probability: number): boolean {
    return this.random() < probability;
  }
}

/** A request sent with fetch. `body` is sent as is (JSON text is built by hand, to say what JSON.stringify cannot). */
export interface FetchCase {
  kind: 'fetch';
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** The body field at fault: an error must name it (or a path under it, or one of the alternatives). */
  param?: readonly string[];
  /** 2xx is a correct answer (e.g. a list with odd but valid query parameters). */
  mayWork?: boolean;
  /** A generation from the zero-balance account: a request that happens to be valid gets 402. */
  generation?: boolean;
}

/** Bytes written on a raw socket, for what fetch refuses to send (bad header bytes, framing lies). */
export interface RawCase {
  kind: 'raw';
  label: string;
  bytes: Uint8Array;
  /** 2xx is a correct answer (node reads the request as a valid one). */
  mayWork?: boolean;
}

export type BadInputCase = FetchCase | RawCase;

export const VALID_BODY = { model: 'gpt-image-2', prompt: 'a cat' } as const;

/** JSON text that JSON.stringify cannot produce, spliced in verbatim. */
class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}
const raw = (text: string) => new RawJson(text);
const json = (value: unknown): string => (value instanceof RawJson ? value.text : JSON.stringify(value));

const deep = (levels: number, open = '[', close = ']', inner = '1') =>
  raw(open.repeat(levels) + inner + close.repeat(levels));
const deepObject = (levels: number) => raw(`${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`);

/** Values of every wrong type and hostile shape, for any field. */
const HOSTILE_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 2,
  raw('1e309'),
  raw('-1e309'),
  raw('-0'),
  raw('1e-400'),
  raw('123456789012345678901234567890123456789'),
  '',
  ' ',
  'NaN',
  'Infinity',
  '-1',
  '1e308',
  '0x10',
  '\ud800',
  'a\udfffb',
  'a\u0000b',
  '\u0000',
  '\u202eevil\u202c',
  'zero\u200bwidth',
  '\ufeffbom',
  '🐱'.repeat(300),
  '\u05e9\u05dc\u05d5\u05dd',
  'x'.repeat(40_000),
  '__proto__',
  'constructor',
  'toString',
  '<script>alert(1)</script>',
  "'; drop table jobs; --",
  '%s%n%x',
  '../../../etc/passwd',
  [],
  [1],
  ['a', 'b'],
  Array.from({ length: 5_000 }, () => 'x'),
  {},
  { a: 1 },
  { '': '' },
  raw('{"__proto__":{"polluted":1}}'),
  raw('{"constructor":{"prototype":{"polluted":1}}}'),
  deep(500),
  deepObject(200),
];

const PROVIDER_OPTIONS_VALUES: readonly unknown[] = [
  { openai: { constructor: 1 } },
  raw('{"openai":{"__proto__":1}}'),
  { openai: { toString: 'x' } },
  { openai: { hasOwnProperty: 'x' } },
  { openai: 5 },
  { openai: [] },
  { unknown: {} },
  Object.fromEntries(Array.from({ length: 9 }, (_, index) => [`p${index}`, {}])),
  { openai: { seed: 1e308 } },
  { googleVertex: { x: deep(5_000) } },
  { googleVertex: { constructor: 1 } },
  { googleVertex: { safetyFilterLevel: '\u0000' } },
  { ['x'.repeat(65)]: {} },
];

/** Near-misses and hostile values specific to one field. */
const FIELD_VALUES: Readonly<Record<string, readonly unknown[]>> = {
  model: ['GPT-IMAGE-2', ' gpt-image-2 ', 'gpt-image-2\u0000', 'openai/', '/', 'x'.repeat(201), 'dall-e-2'],
  prompt: ['x'.repeat(32_001), '\u0000'.repeat(10), 'a\ud83d', '\u0085\u2028\u2029', '\t\n\r '],
  n: [11, 0, 10.0000001, '1', [1], 1e308, raw('1.0'), raw('1e0'), raw('01')],
  size: [
    '0x0',
    '-1024x1024',
    '99999999999x1',
    '1024x1024\u0000',
    '1e3x1e3',
    '１０２４x１０２４',
    'auto ',
    'x',
    '1024X1024',
  ],
  // `hd` and `standard` (DALL·E's) are accepted and mapped; their near-misses are not.
  quality: ['ULTRA', 'HD', 'Standard', 'auto\u0000'],
  output_format: ['gif', 'PNG', 'jpg', 'png\u200b'],
  output_compression: [101, -1, 50.5, '50', 1e308],
  background: ['TRANSPARENT', 'none', 'transparent '],
  moderation: ['high', 'none', 'LOW'],
  response_format: ['URL', 'b64', 'json', 'url\u0000'],
  user: ['u'.repeat(257), '\u0000'],
  metadata: [
    { k: 5 },
    { '': 'v' },
    { ['k'.repeat(65)]: 'v' },
    { k: 'v'.repeat(513) },
    Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v'])),
    Object.fromEntries(Array.from({ length: 10_000 }, (_, index) => [`k${index}`, 'v'])),
    raw('{"__proto__":"x"}'),
    raw('{"constructor":"x"}'),
    { k: { nested: 'v' } },
    { 'k\u0000': 'v' },
    { k: 'v\u0000' },
    { k: '\ud800' },
  ],
  webhook_url: [
    'http://127.0.0.1/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://[::1]/',
    'https://0x7f.1/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'https://',
    `https://${'a'.repeat(2_100)}.example/`,
    'https://user:pass@public.example/',
    'https://ex ample.example/',
    'https://public.example/\u0000',
    'https://internal.example/',
    'ftp://public.example/',
  ],
  extra: [
    { webhook_url: 5 },
    { webhook_url: 'http://127.0.0.1/' },
    { fallbacks: ['gpt-image-2'] },
    { unknown: 1 },
    raw('{"__proto__":{"webhook_url":"https://public.example/"}}'),
  ],
  provider_options: PROVIDER_OPTIONS_VALUES,
  providerOptions: PROVIDER_OPTIONS_VALUES,
  aspect_ratio: ['0:1', '999:1', '1:999', '16:9\n', '16：9', '1:1:1', ':', '1e3:1', 'NaN:NaN'],
};

export const GENERATION_FIELDS = Object.keys(FIELD_VALUES);

/** What an error may name for a fault in `field` (the webhook guard names `webhook_url` for either spelling). */
const PARAM_OF: Readonly<Record<string, readonly string[]>> = {
  extra: ['extra', 'webhook_url'],
  provider_options: ['provider_options', 'providerOptions'],
  providerOptions: ['providerOptions', 'provider_options'],
};

function bodyText(fields: ReadonlyArray<readonly [string, unknown]>): string {
  return `{${fields.map(([key, value]) => `${JSON.stringify(key)}:${json(value)}`).join(',')}}`;
}

const ID_GARBAGE: readonly string[] = [
  'job_',
  'job_x',
  'job_00000000000000000000000000',
  'JOB_01',
  '%00',
  'job_%00',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '..',
  '%',
  '%E0%A4%A',
  '%ff',
  '%C0%80',
  'job_%F0%9F%90%B1',
  encodeURIComponent('\u202e'),
  'job_'.padEnd(2_000, 'a'),
  '__proto__',
  'constructor',
  "job_' or 1=1 --",
  encodeURIComponent('job_\u0000'),
  '1e308',
  '-1',
  'null',
  'undefined',
];

export interface Callers {
  /** The zero-balance account's key: nothing it sends can be charged. */
  apiKey: string;
  /** A job of another account, to be sure it stays invisible. */
  foreignJobId: string;
}

/** One storm: `count` cases drawn with `fuzz`, plus the fixed cases every storm includes. */
export function generateCases(fuzz: Fuzz, count: number, callers: Callers): BadInputCase[] {
  const auth = { authorization: `Bearer ${callers.apiKey}` };
  const jsonHeaders = { ...auth, 'content-type': 'application/json' };
  const generation = (label: string, body: string | Uint8Array, extra: Partial<FetchCase> = {}): FetchCase => ({
    kind: 'fetch',
    label,
    method: 'POST',
    path: '/v1/images/generations',
    headers: jsonHeaders,
    body,
    generation: true,
    ...extra,
  });

  const generators: Array<() => BadInputCase> = [
    // One field of a valid body replaced by a wrong type or a hostile value.
    () => {
      const field = fuzz.pick(GENERATION_FIELDS);
      const value = fuzz.chance(0.5) ? fuzz.pick(FIELD_VALUES[field] ?? []) : fuzz.pick(HOSTILE_VALUES);
      const base = Object.entries(VALID_BODY).filter(([key]) => key !== field);
      const body = bodyText([...base, [field, value]]);
      return generation(`field ${field} = ${body.slice(0, 120)}`, body, { param: PARAM_OF[field] ?? [field] });
    },
    // An unknown field, or a duplicate key whose last value is wrong.
    () => {
      const key = fuzz.pick([
        'styles',
        '__proto__',
        'constructor',
        '',
        'MODEL',
        'prompt ',
        'x'.repeat(10_000),
        '\u0000',
      ]);
      const body = bodyText([...Object.entries(VALID_BODY), [key, fuzz.pick(HOSTILE_VALUES)]]);
      return generation(`unknown field ${JSON.stringify(key).slice(0, 40)}`, body);
    },
    () => {
      const field = fuzz.pick(['model', 'prompt']);
      const body = bodyText([...Object.entries(VALID_BODY), [field, fuzz.pick(HOSTILE_VALUES)]]);
      return generation(`duplicate key ${field}`, body, { param: [field] });
    },
    // Not a valid body at all.
    () => {
      const text = bodyText(Object.entries(VALID_BODY));
      const cut = text.slice(0, fuzz.int(0, text.length - 1));
      return generation(`truncated JSON ${JSON.stringify(cut)}`, cut);
    },
    () => {
      const body = fuzz.pick([
        '',
        ' ',
        'null',
        '1',
        'true',
        '"a cat"',
        '[]',
        '{',
        '}',
        "{'model':'gpt-image-2'}",
        '{"model":"gpt-image-2",}',
        '{"model":"gpt-image-2" /* c */}',
        '{"n":NaN}',
        '{"n":Infinity}',
        '{"n":0x10}',
        '\ufeff{"model":"gpt-image-2","prompt":"a"}',
        '{"prompt":"\\ud800"}',
        '{"prompt":"\\u0000"}',
        '{"prompt":"\\x41"}',
        '{"a":1}{"b":2}',
        deep(fuzz.pick([100, 10_000, 100_000])).text,
        deepObject(10_000).text,
        `{"model":"gpt-image-2","prompt":"a cat","metadata":${deepObject(10_000).text}}`,
        `{"model":"gpt-image-2","prompt":${deep(10_000).text}}`,
      ]);
      return generation(`bad JSON ${JSON.stringify(body.slice(0, 60))}`, body);
    },
    () => {
      const bytes = new Uint8Array(fuzz.int(1, 200));
      for (let index = 0; index < bytes.length; index++) bytes[index] = fuzz.int(0, 255);
      return generation('random bytes', bytes);
    },
    () => {
      const invalidUtf8 = fuzz.pick([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]);
      const prefix = new TextEncoder().encode('{"model":"gpt-image-2","prompt":"a');
      const suffix = new TextEncoder().encode('"}');
      return generation('invalid UTF-8 in the prompt', new Uint8Array([...prefix, ...invalidUtf8, ...suffix]));
    },
    // Wrong content types and encodings.
    () => {
      const contentType = fuzz.pick([
        'text/plain',
        'multipart/form-data; boundary=xyz',
        'application/x-www-form-urlencoded',
        'application/xml',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'application/json; charset="bogus"',
        'application/json; charset=utf-8; charset=ascii',
        'application/vnd.api+json',
        'application/json\u00ff',
        '*/*',
        ';;;',
        '',
      ]);
      const body = fuzz.pick([
        bodyText(Object.entries(VALID_BODY)),
        '--xyz\r\nContent-Disposition: form-data; name="model"\r\n\r\ngpt-image-2\r\n--xyz--\r\n',
        'model=gpt-image-2&prompt=a+cat',
        '<xml/>',
      ]);
      return generation(`content-type ${JSON.stringify(contentType)}`, body, {
        headers: { ...auth, 'content-type': contentType },
      });
    },
    () => generation('no content type', bodyText(Object.entries(VALID_BODY)), { headers: auth }),
    () => {
      const encoding = fuzz.pick(['gzip', 'deflate', 'br', 'compress', 'identity, gzip', 'x-unknown']);
      return generation(`content-encoding ${encoding} with garbage`, 'not compressed at all', {
        headers: { ...jsonHeaders, 'content-encoding': encoding },
      });
    },
    // Header abuse.
    () => {
      const authorization = fuzz.pick([
        'Bearer',
        'Bearer ',
        'Bearer  \t ',
        'bearer sk-ig-nope',
        'Basic dXNlcjpwYXNz',
        'Token abc',
        `Bearer ${'a'.repeat(600)}`,
        `Bearer ${'a'.repeat(12_000)}`,
        'Bearer sk-ig-\u00ff\u00fe',
        'Bearer a b c',
        `Bearer ${callers.apiKey}x`,
        `Bearer ${callers.apiKey.toUpperCase()}`,
        `${callers.apiKey}`,
      ]);
      return generation(
        `authorization ${JSON.stringify(authorization.slice(0, 40))}`,
        bodyText(Object.entries(VALID_BODY)),
        {
          headers: { 'content-type': 'application/json', authorization },
          generation: false,
        },
      );
    },
    () => {
      const key = fuzz.pick(['k'.repeat(256), 'with space', '\u00e9t\u00e9', '', '\t', 'k'.repeat(20_000), 'a,b']);
      return generation(`idempotency-key ${JSON.stringify(key.slice(0, 30))}`, bodyText(Object.entries(VALID_BODY)), {
        headers: { ...jsonHeaders, 'idempotency-key': key },
      });
    },
    () => {
      const prefer = fuzz.pick([
        'wait=99999999999999',
        'wait=-1',
        'wait=abc',
        'wait=',
        'wait=1e9',
        'respond-async; wait=',
        ',,,,;;;==',
        '"',
        'wait="5',
        `respond-async,${'x'.repeat(8_000)}`,
        'handling=strict; return=minimal',
      ]);
      const field = fuzz.pick(GENERATION_FIELDS);
      const body = bodyText([...Object.entries(VALID_BODY), [field, fuzz.pick(HOSTILE_VALUES)]]);
      return generation(`prefer ${JSON.stringify(prefer.slice(0, 30))}`, body, {
        headers: { ...jsonHeaders, prefer },
      });
    },
    () => {
      const headers: Record<string, string> = { ...jsonHeaders };
      const many = fuzz.int(50, 150);
      for (let index = 0; index < many; index++) headers[`x-fuzz-${index}`] = 'v'.repeat(fuzz.int(0, 100));
      return generation(`${many} extra headers`, bodyText(Object.entries(VALID_BODY)), { headers });
    },
    () =>
      generation('an oversized header', bodyText(Object.entries(VALID_BODY)), {
        headers: { ...jsonHeaders, 'x-huge': 'h'.repeat(fuzz.int(17_000, 80_000)) },
      }),
    () =>
      generation('x-request-id abuse', bodyText(Object.entries(VALID_BODY)), {
        headers: { ...jsonHeaders, 'x-request-id': fuzz.pick(['', 'a'.repeat(129), '<>', '\u00ff', '../x']) },
      }),
    // Wrong methods and odd paths.
    () => {
      const method = fuzz.pick(['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'FOO', 'M-SEARCH', 'PROPFIND']);
      const path = fuzz.pick(['/v1/images/generations', '/v1/images/jobs', '/v1/account', '/v1/models', '/healthz']);
      const body = method === 'GET' ? undefined : bodyText(Object.entries(VALID_BODY));
      return {
        kind: 'fetch',
        label: `${method} ${path}`,
        method,
        path,
        headers: jsonHeaders,
        body,
        mayWork: path === '/v1/images/jobs' || path === '/v1/account' || path === '/v1/models' || path === '/healthz',
      };
    },
    () => {
      const id = fuzz.pick([...ID_GARBAGE, callers.foreignJobId]);
      const path = fuzz.pick([
        `/v1/images/jobs/${id}`,
        `/v1/images/jobs/${id}/cancel`,
        `/v1/images/jobs/${id}/webhook_deliveries`,
        `/v1/images/jobs/${id}/webhook_deliveries/${id}/retry`,
        `/v1/models/${id}`,
        `/v1/models/openai/${id}`,
        `/admin/v1/accounts/${id}`,
        `/v1/${id}`,
        `/${id}`,
      ]);
      const method = path.endsWith('/cancel') || path.endsWith('/retry') ? 'POST' : 'GET';
      return {
        kind: 'fetch',
        label: `${method} ${path.slice(0, 120)}`,
        method,
        path,
        headers: jsonHeaders,
        body: method === 'POST' ? '{}' : undefined,
        // fetch resolves dot segments (`/v1/models/openai/..` is `/v1/models`) before sending.
        mayWork: id === '..' || id === '%2e%2e',
      };
    },
    () => {
      const query = fuzz.pick([
        'limit=abc',
        'limit=0',
        'limit=1e2',
        'limit=-1',
        'limit=101',
        'limit=1&limit=2',
        'limit[]=1',
        'limit=%00',
        'after=job_',
        'after=%ff',
        'after=x&after=y',
        'after[a]=b',
        `after=${'a'.repeat(5_000)}`,
        '%',
        '&&&==',
        '__proto__=1',
      ]);
      const path = fuzz.pick(['/v1/images/jobs', '/v1/account/ledger']);
      return {
        kind: 'fetch',
        label: `GET ${path}?${query.slice(0, 60)}`,
        method: 'GET',
        path: `${path}?${query}`,
        headers: jsonHeaders,
        mayWork: true,
      };
    },
    // The admin API with a wrong token, and with hostile bodies behind a missing one.
    () => ({
      kind: 'fetch',
      label: 'admin without its token',
      method: 'POST',
      path: fuzz.pick(['/admin/v1/accounts', '/admin/v1/accounts/acct_x/credits']),
      headers: { ...jsonHeaders, authorization: fuzz.pick(['Bearer x', 'Bearer ', '', jsonHeaders.authorization]) },
      body: bodyText([['name', fuzz.pick(HOSTILE_VALUES)]]),
    }),
  ];

  const cases: BadInputCase[] = [];
  for (let index = 0; index < count; index++) cases.push(fuzz.pick(generators)());
  cases.push(...fixedCases(callers));
  return cases;
}

/** Cases every storm carries: the big ones (sent once each) and raw-socket framing abuse. */
function fixedCases(callers: Callers): BadInputCase[] {
  const auth = `Bearer ${callers.apiKey}`;
  const rawRequest = (label: string, head: string, body = '', mayWork = false): RawCase => ({
    kind: 'raw',
    label,
    bytes: new Uint8Array(Buffer.from(`${head}\r\n\r\n${body}`, 'latin1')),
    mayWork,
  });
  const post = (headers: string) =>
    `POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\n${headers}`;
  const body = JSON.stringify(VALID_BODY);
  return [
    {
      kind: 'fetch',
      label: '10 MB prompt',
      method: 'POST',
      path: '/v1/images/generations',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ...VALID_BODY, prompt: 'x'.repeat(10 * 1024 * 1024) }),
    },
    {
      kind: 'fetch',
      label: 'giant array',
      method: 'POST',
      path: '/v1/images/generations',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ...VALID_BODY, n: Array.from({ length: 150_000 }, () => 1) }),
    },
    rawRequest(
      'content-length shorter than the body',
      post('Content-Type: application/json\r\nContent-Length: 5'),
      body,
    ),
    rawRequest('content-length negative', post('Content-Type: application/json\r\nContent-Length: -1'), body),
    rawRequest('content-length not a number', post('Content-Type: application/json\r\nContent-Length: abc'), body),
    rawRequest(
      'two different content-lengths',
      post(`Content-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: 3`),
      body,
    ),
    rawRequest(
      'content-length with transfer-encoding',
      post(`Content-Type: application/json\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: chunked`),
      body,
    ),
    rawRequest(
      'bad chunked encoding',
      post('Content-Type: application/json\r\nTransfer-Encoding: chunked'),
      'zz\r\nabc\r\n',
    ),
    rawRequest(
      'a NUL byte in a header value',
      post(`Content-Type: application/json\r\nX-Bad: a\u0000b\r\nContent-Length: ${body.length}`),
      body,
    ),
    rawRequest(
      'a header name with a space',
      post(`Content-Type: application/json\r\nBad Name: x\r\nContent-Length: ${body.length}`),
      body,
    ),
    rawRequest(
      'a newline in a header value',
      post(`Content-Type: application/json\r\nX-Bad: a\rb\r\nContent-Length: ${body.length}`),
      body,
    ),
    rawRequest(
      'UTF-8 bytes in the Idempotency-Key',
      post(
        `Content-Type: application/json\r\nIdempotency-Key: ${Buffer.from('clé-🔑').toString('latin1')}\r\nContent-Length: ${body.length}`,
      ),
      body,
    ),
    rawRequest(
      'latin-1 bytes in Authorization',
      `POST /v1/images/generations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u00ff\u00fe\u00e9\r\nContent-Type: application/json\r\nContent-Length: ${body.length}`,
      body,
    ),
    rawRequest(
      'two Idempotency-Keys',
      post(
        `Content-Type: application/json\r\nIdempotency-Key: a\r\nIdempotency-Key: b\r\nContent-Length: ${body.length}`,
      ),
      body,
    ),
    rawRequest(
      'two Authorization headers',
      post(`Authorization: Bearer other\r\nContent-Type: application/json\r\nContent-Length: ${body.length}`),
      body,
    ),
    rawRequest('a request line that is garbage', 'GARBAGE\u0001\u0002 / HTTP/1.1\r\nHost: x'),
    // llhttp reads a request line without a version as a GET: a fine answer either way.
    rawRequest('no HTTP version', 'GET /healthz', '', true),
    rawRequest('an unsupported HTTP version', 'GET /healthz HTTP/9.9\r\nHost: x'),
    rawRequest('a path with raw spaces', 'GET /v1/images/jobs/a b HTTP/1.1\r\nHost: x'),
    rawRequest('a raw NUL in the path', `GET /v1/images/jobs/job_\u0000 HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}`),
    // RFC 9112 absolute-form: the path is what counts, so this is a valid request for the model list.
    rawRequest(
      'an absolute-form target',
      `GET http://evil.example/v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}`,
      '',
      true,
    ),
    rawRequest('an asterisk target', 'OPTIONS * HTTP/1.1\r\nHost: x'),
    rawRequest('TRACE', `TRACE /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}`),
    rawRequest('CONNECT', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22'),
    rawRequest('a 20 KB path', `GET /v1/images/jobs/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x`),
    rawRequest(
      '3000 headers',
      `GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3_000 }, (_, index) => `X-${index}: v`).join('\r\n')}`,
    ),
  ];
}
