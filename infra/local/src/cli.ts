/**
 * `pnpm imagegate …`: account operations for operators, through the admin API (so the same rules
 * apply as for curl). Reaches `IMAGEGATE_URL` (default http://127.0.0.1:8080) with `ADMIN_TOKEN`,
 * which defaults to the one `pnpm start` keeps in `.data/credentials.json`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  compareCatalog,
  listGeminiModels,
  listOpenAIModels,
  loadCatalog,
  probeBflEndpoints,
  type UpstreamListing,
} from '@imagegate/catalog';

const USAGE = `usage:
  pnpm imagegate accounts create --name NAME [--credit USD]
  pnpm imagegate accounts show --account acct_…
  pnpm imagegate keys create --account acct_… [--name NAME]
  pnpm imagegate keys revoke --key key_…
  pnpm imagegate credits add --account acct_… --amount USD --reason TEXT [--idempotency-key KEY]
  pnpm imagegate catalog check
environment: IMAGEGATE_URL (default http://127.0.0.1:8080), ADMIN_TOKEN (default from .data/credentials.json);
  catalog check: CATALOG_FILE, and each upstream configured as for the worker (OPENAI_API_KEY, OPENAI_BASE_URL,
  GEMINI_API_KEY, GEMINI_BASE_URL, BFL_API_KEY, BFL_BASE_URL)`;

/**
 * Compares the catalog with what each configured upstream says it serves (OpenAI's model list, the
 * Gemini API's models.list, BFL's endpoints probed): models we lack, models we serve that are gone,
 * lifecycle dates that have passed.
 */
async function checkCatalog(): Promise<unknown> {
  const env = process.env;
  const catalog = loadCatalog({ file: env.CATALOG_FILE });
  const listings: Promise<UpstreamListing>[] = [];
  if (env.OPENAI_API_KEY) {
    listings.push(listOpenAIModels(env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1', env.OPENAI_API_KEY));
  }
  if (env.GEMINI_API_KEY) {
    listings.push(
      listGeminiModels(env.GEMINI_BASE_URL ?? 'https://generativelanguage.googleapis.com', env.GEMINI_API_KEY),
    );
  }
  if (env.BFL_API_KEY) {
    listings.push(probeBflEndpoints(catalog, env.BFL_BASE_URL ?? 'https://api.bfl.ai', env.BFL_API_KEY));
  }
  const answered = await Promise.all(listings);
  return {
    checked: answered.map((listing) => listing.protocol),
    ...compareCatalog(catalog, answered, new Date()),
  };
}

function adminToken(): string {
  if (process.env.ADMIN_TOKEN) return process.env.ADMIN_TOKEN;
  const dataDir = process.env.IMAGEGATE_DATA_DIR ?? fileURLToPath(new URL('../../../.data', import.meta.url));
  const file = `${dataDir}/credentials.json`;
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { adminToken: string }).adminToken;
  throw new Error('Set ADMIN_TOKEN (or run `pnpm start` once on this machine).');
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const base = process.env.IMAGEGATE_URL ?? 'http://127.0.0.1:8080';
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken()}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = (await response.json()) as { error?: { message: string } };
  if (!response.ok) throw new Error(`${response.status}: ${payload.error?.message ?? 'request failed'}`);
  return payload;
}

function required(values: Record<string, string | undefined>, name: string): string {
  const value = values[name];
  if (value === undefined) throw new Error(`--${name} is required\n${USAGE}`);
  return value;
}

async function run(args: string[]): Promise<unknown> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      credit: { type: 'string' },
      account: { type: 'string' },
      key: { type: 'string' },
      amount: { type: 'string' },
      reason: { type: 'string' },
      'idempotency-key': { type: 'string' },
    },
  });
  const command = positionals.join(' ');
  switch (command) {
    case 'catalog check':
      return checkCatalog();
    case 'accounts create':
      return call('POST', '/admin/v1/accounts', {
        name: required(values, 'name'),
        ...(values.credit === undefined ? {} : { starter_credit_usd: Number(values.credit) }),
      });
    case 'accounts show':
      return call('GET', `/admin/v1/accounts/${required(values, 'account')}`);
    case 'keys create':
      return call('POST', `/admin/v1/accounts/${required(values, 'account')}/api_keys`, {
        name: values.name ?? 'default',
      });
    case 'keys revoke':
      return call('DELETE', `/admin/v1/api_keys/${required(values, 'key')}`);
    case 'credits add':
      return call(
        'POST',
        `/admin/v1/accounts/${required(values, 'account')}/credits`,
        { amount_usd: Number(required(values, 'amount')), reason: required(values, 'reason') },
        values['idempotency-key'] ? { 'idempotency-key': values['idempotency-key'] } : {},
      );
    default:
      throw new Error(USAGE);
  }
}

run(process.argv.slice(2)).then(
  (result) => console.log(JSON.stringify(result, null, 2)),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
