import { parseArgs } from 'node:util';
import { startOpenAIEmulator } from './index.ts';

/**
 * CLI: `node packages/emulators/src/main.ts --port 4010 [--host 127.0.0.1] [--api-key sk-emulator]
 * [--latency-ms 50] [--image-bytes 1048576] [--seed 1]`. Prints the base URL on stdout (one line,
 * so scripts can capture it) and stops cleanly on SIGINT/SIGTERM.
 */
const USAGE =
  'usage: main.ts [--port 4010] [--host 127.0.0.1] [--api-key sk-emulator] [--latency-ms 0] [--image-bytes N] [--seed 1]';

function numberOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got '${raw}'`);
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string' },
      'api-key': { type: 'string' },
      'latency-ms': { type: 'string' },
      'image-bytes': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const emulator = await startOpenAIEmulator({
    port: numberOption('port', values.port),
    host: values.host,
    apiKey: values['api-key'],
    latencyMs: numberOption('latency-ms', values['latency-ms']),
    imageBytes: numberOption('image-bytes', values['image-bytes']),
    seed: numberOption('seed', values.seed),
  });
  console.log(emulator.url);
  console.error(`OpenAI Images emulator ready (api key '${emulator.apiKey}'); Ctrl+C to stop.`);
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
