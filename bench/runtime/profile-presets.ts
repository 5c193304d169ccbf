/**
 * Bench (not a test): profiles presets on this machine and reports each table's prediction error
 * against measured whole networks, for every per-model statistic, from ONE measurement per preset
 * (so the statistics are compared on identical samples).
 *
 *   node --import tsx bench/runtime/profile-presets.ts [--repeats 20] [--samples 30] [--write-tables p10] cifar-small cifar
 *
 * Writes bench/runtime/results/<preset>-<UTC yyyymmdd-hhmm>.json (tables, reports, load average; one
 * file per run, so run-to-run variation on a shared machine stays visible); with --write-tables <stat>
 * also writes data/latency/<preset>.json, the shipped default table for that preset.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { measureSpace, summariseMeasurement } from '../../src/profiler/profiler';
import { STATISTICS, type Statistic } from '../../src/latency/statistic';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    repeats: { type: 'string', default: '20' },
    samples: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    'write-tables': { type: 'string' },
  },
});
const here = __dirname;
const root = path.resolve(here, '../..');

async function main(): Promise<void> {
  const { tf, name: backend } = loadTf();
  // A setup script may rebuild the native binding under us; a pure-JS table must not be shipped.
  if (backend !== 'tensorflow') throw new Error(`native backend required, got tfjs '${backend}'`);
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  const presets = positionals.length ? positionals : ['cifar-small'];
  const writeStat = values['write-tables'] as Statistic | undefined;
  if (writeStat && !STATISTICS.includes(writeStat)) throw new Error(`--write-tables takes one of ${STATISTICS.join(', ')}`);
  const rows: string[] = [
    '| space | statistic | samples | exact: median abs err | exact: within 10% | formula: median abs err | formula: within 10% | mean err |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const name of presets) {
    const space = getPreset(name);
    const load0 = os.loadavg()[0]!;
    const m = await measureSpace(tf, space, {
      repeats: Number(values.repeats),
      warmup: Number(values.warmup),
      samples: Number(values.samples),
      onProgress: (p) => {
        if (p.phase === 'measure' && (p.done % 5 === 0 || p.done === p.total)) process.stderr.write(`${name}: round ${p.done}/${p.total}\n`);
      },
    });
    const load1 = os.loadavg()[0]!;
    if (m.backend !== 'tensorflow') throw new Error(`backend changed to '${m.backend}' during the measurement`);
    const results = Object.fromEntries(STATISTICS.map((s) => [s, summariseMeasurement(m, { statistic: s })]));
    for (const s of STATISTICS) {
      const r = results[s]!.report!;
      rows.push(
        `| ${name} | ${s} | ${r.count} | ${r.exact.medianAbsErrPct.toFixed(1)}% | ${(100 * r.exact.within10).toFixed(0)}% | ${r.formula.medianAbsErrPct.toFixed(1)}% | ${(100 * r.formula.within10).toFixed(0)}% | ${r.exact.meanErrPct.toFixed(1)}% |`,
      );
    }
    const out = { space: name, seconds: m.seconds, repeats: m.repeats, loadavg1: [load0, load1], cpus: os.cpus().length, results };
    fs.writeFileSync(path.join(here, 'results', `${name}-${stamp}.json`), JSON.stringify(out, null, 1) + '\n');
    if (writeStat) fs.writeFileSync(path.join(root, 'data/latency', `${name}.json`), JSON.stringify(results[writeStat]!.table, null, 2) + '\n');
    process.stderr.write(`${name}: ${m.seconds.toFixed(0)} s, 1-min load average ${load0.toFixed(1)} -> ${load1.toFixed(1)} on ${os.cpus().length} CPUs\n`);
  }
  process.stdout.write(rows.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
