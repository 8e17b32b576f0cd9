/**
 * Probe (not a figure): what a CPU profile of a host spent its time on, by package and by
 * function, idle left out. Profiles come from `BENCH_HOST_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"`
 * (a figure's hosts) or `BENCH_INGRESS_NODE_ARGS` (async-submit); a host with the provider worker's
 * thread writes one profile per thread.
 *
 *   node bench/probes/profile-summary.ts DIR/CPU.….cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
const file = positionals[0];
if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top 25]');
const top = Number(values.top);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));

/** `node:` for Node's own code, the package for node_modules, `imagegate` for ours, else the V8 entry's name. */
function ownerOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  const installed = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (installed) return installed[1] ?? url;
  if (url.startsWith('node:')) return 'node:';
  if (url === '') return `(${functionName.replace(/[()]/g, '')})`;
  return 'imagegate';
}
const nameOf = (node: ProfileNode) =>
  `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber}`;

const byOwner = new Map<string, number>();
const byFunction = new Map<string, number>();
let busy = 0;
profile.samples.forEach((id, index) => {
  const node = nodes.get(id);
  const micros = profile.timeDeltas[index] ?? 0;
  if (node === undefined || node.callFrame.functionName === '(idle)') return;
  busy += micros;
  byOwner.set(ownerOf(node), (byOwner.get(ownerOf(node)) ?? 0) + micros);
  byFunction.set(nameOf(node), (byFunction.get(nameOf(node)) ?? 0) + micros);
});

const table = (entries: Map<string, number>) =>
  [...entries]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, micros]) => `  ${((100 * micros) / busy).toFixed(1).padStart(5)} %  ${name}`)
    .join('\n');
process.stdout.write(`busy: ${(busy / 1000).toFixed(0)} ms of CPU\nby package (self time):\n${table(byOwner)}\n`);
process.stdout.write(`by function (self time):\n${table(byFunction)}\n`);
