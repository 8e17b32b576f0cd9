import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startBflEmulator, startGoogleEmulator, startOpenAIEmulator } from './index.ts';

/**
 * CLI: `node packages/emulators/src/main.ts [--provider openai|google|bfl] --port 4010 …`. Prints
 * the base URL on stdout (one line, so scripts can capture it), details on stderr, and stops
 * cleanly on SIGINT/SIGTERM. Run one process per provider to have all three.
 */
const USAGE = [
  'usage: main.ts [--provider openai|google|bfl] [--port 4010] [--host 127.0.0.1] [--api-key KEY]',
  '               [--latency-ms 0] [--image-bytes N] [--seed 1]',
  '  google: [--project imagegate-emulator] [--token-lifetime-s 3599] [--service-account-file PATH]',
  '  bfl:    [--render-ms 1000] [--result-ttl-ms 600000]',
].join('\n');

const PROVIDERS = ['openai', 'google', 'bfl'] as const;

function numberOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got '${raw}'`);
  return value;
}

interface Started {
  url: string;
  close(): Promise<void>;
  describe: string;
}

async function start(values: Record<string, string | boolean | undefined>): Promise<Started> {
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const common = {
    port: numberOption('port', text('port')),
    host: text('host'),
    apiKey: text('api-key'),
    latencyMs: numberOption('latency-ms', text('latency-ms')),
    imageBytes: numberOption('image-bytes', text('image-bytes')),
    seed: numberOption('seed', text('seed')),
  };
  const provider = text('provider') ?? 'openai';
  switch (provider) {
    case 'openai': {
      const emulator = await startOpenAIEmulator(common);
      return { ...emulator, describe: `OpenAI Images emulator ready (api key '${emulator.apiKey}')` };
    }
    case 'google': {
      const emulator = await startGoogleEmulator({
        ...common,
        projectId: text('project'),
        tokenLifetimeS: numberOption('token-lifetime-s', text('token-lifetime-s')),
      });
      const file = text('service-account-file');
      if (file !== undefined) await writeFile(file, JSON.stringify(emulator.serviceAccount, null, 2), { mode: 0o600 });
      const account = file === undefined ? `GET ${emulator.url}/__emulator/service-account` : `written to ${file}`;
      return {
        ...emulator,
        describe: `Google emulator ready (Gemini API key '${emulator.apiKey}', project '${emulator.projectId}', token URL ${emulator.tokenUrl}, service account ${account})`,
      };
    }
    case 'bfl': {
      const emulator = await startBflEmulator({
        ...common,
        renderMs: numberOption('render-ms', text('render-ms')),
        resultTtlMs: numberOption('result-ttl-ms', text('result-ttl-ms')),
      });
      return { ...emulator, describe: `BFL emulator ready (x-key '${emulator.apiKey}')` };
    }
    default:
      throw new Error(`--provider must be one of ${PROVIDERS.join(', ')}, got '${provider}'`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      provider: { type: 'string' },
      port: { type: 'string', default: '4010' },
      host: { type: 'string' },
      'api-key': { type: 'string' },
      'latency-ms': { type: 'string' },
      'image-bytes': { type: 'string' },
      seed: { type: 'string' },
      project: { type: 'string' },
      'token-lifetime-s': { type: 'string' },
      'service-account-file': { type: 'string' },
      'render-ms': { type: 'string' },
      'result-ttl-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const emulator = await start(values);
  console.log(emulator.url);
  console.error(`${emulator.describe}; Ctrl+C to stop.`);
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(1);
});
