/** `pnpm bench [name]`: runs one benchmark script, or all of them, each printing one JSON document. */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const here = new URL('.', import.meta.url);
const all = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -3));
const [name, ...args] = process.argv.slice(2);
const selected = name === undefined ? all : [name];
for (const benchmark of selected) {
  if (!all.includes(benchmark)) {
    process.stderr.write(`unknown benchmark '${benchmark}'; known: ${all.join(', ')}\n`);
    process.exit(2);
  }
  const result = spawnSync(process.execPath, [new URL(`${benchmark}.ts`, here).pathname, ...args], {
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
