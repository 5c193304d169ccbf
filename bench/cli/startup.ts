/**
 * CLI start-up time: `spnas --help` from the compiled build (dist/, what `bin/spnas.js` runs) vs the
 * TypeScript sources through tsx (SPNAS_FROM_SOURCE=1, how bin/spnas.js ran before the build existed),
 * with tsx's transform cache warm and cold. Interleaved rounds in one run, so machine load hits every
 * variant alike; compare the ratios. Also `spnas backend` (loads libtensorflow) for scale.
 *
 *   node --import tsx bench/cli/startup.ts [--rounds 15] [--out bench/cli/results/startup.json]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : dflt);
const rounds = Number(opt('--rounds', '15'));
const out = opt('--out', path.join(ROOT, 'bench', 'cli', 'results', 'startup.json'));

const bin = path.join(ROOT, 'bin', 'spnas.js');
const env = (extra: Record<string, string>) => {
  const e: NodeJS.ProcessEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...extra };
  delete e.NODE_OPTIONS;
  return e;
};
const variants: Record<string, { args: string[]; env: NodeJS.ProcessEnv }> = {
  'compiled --help': { args: [bin, '--help'], env: env({}) },
  'tsx --help (warm cache)': { args: [bin, '--help'], env: env({ SPNAS_FROM_SOURCE: '1' }) },
  'tsx --help (cold cache)': { args: [bin, '--help'], env: env({ SPNAS_FROM_SOURCE: '1', TSX_DISABLE_CACHE: '1' }) },
  'compiled backend': { args: [bin, 'backend'], env: env({}) },
  'tsx backend (warm cache)': { args: [bin, 'backend'], env: env({ SPNAS_FROM_SOURCE: '1' }) },
};
const names = Object.keys(variants);
const ms: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));

function run(name: string): number {
  const v = variants[name]!;
  const t0 = process.hrtime.bigint();
  // No pipes: with stdout piped, spawnSync would also wait for any grandchild holding the pipe (tsx's
  // esbuild service outlives node), which a user at a terminal does not wait for.
  const r = spawnSync(process.execPath, v.args, { cwd: ROOT, env: v.env, stdio: 'ignore', timeout: 120_000 });
  const t = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${name} failed (exit ${r.status ?? r.signal}); run it by hand to see why`);
  return t;
}

for (const n of names) run(n); // warm the OS file cache and tsx's cache once
for (let i = 0; i < rounds; i++) {
  const order = names.map((_, k) => names[(k + i) % names.length]!); // rotate the order every round
  for (const n of order) ms[n]!.push(run(n));
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const base = median(ms['compiled --help']!);
const rows = names.map((n) => ({ variant: n, medianMs: Math.round(median(ms[n]!)), vsCompiledHelp: Number((median(ms[n]!) / base).toFixed(2)) }));
const result = { date: new Date().toISOString(), node: process.version, rounds, loadavg: os.loadavg().map((x) => Number(x.toFixed(1))), rows, samplesMs: ms };
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
console.log(`| variant | median ms | / compiled --help |\n|---|---|---|`);
for (const r of rows) console.log(`| ${r.variant} | ${r.medianMs} | ${r.vsCompiledHelp} |`);
console.log(`(${rounds} interleaved rounds, load average ${result.loadavg.join(' ')}; ${out})`);
