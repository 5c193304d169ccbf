/**
 * Bench (offline, no measuring): the tables that `latency-profile-order` profiled side by side, alone
 * and as the entry-wise median of every `--group` consecutive ones (what a study's prepare step now
 * makes, src/latency/median-table.ts), each judged on the same measured networks of that run.
 *
 *   npm run bench -- latency-median-of-profiles bench/latency/results/profile-order-<stamp>.json [--group 3]
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { calibrateTable } from '../../src/latency/calibrate-table';
import { parseLatencyTableFor } from '../../src/latency/latency-table';
import { medianTable } from '../../src/latency/median-table';
import { tableAccuracy, type TableAccuracy } from '../../src/latency/prediction-error';
import { predictArchitectureLatencyExact } from '../../src/latency/runtime-model';
import { architectureFromString } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';

const { values, positionals } = parseArgs({ options: { group: { type: 'string', default: '3' } }, allowPositionals: true });

interface ProfileOrderResult {
  space: string;
  reference: { ms: number };
  tables: unknown[];
  rows: Array<{ arch: string; measuredMs: number }>;
}

function main(): void {
  const file = positionals[0];
  if (!file) throw new Error('give a profile-order result file (bench/latency/results/profile-order-<stamp>.json)');
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as ProfileOrderResult;
  const space = getPreset(r.space);
  const tables = r.tables.map((t, i) => parseLatencyTableFor(space, t, `${file} table ${i}`));
  const rows = r.rows.map((x) => ({ architecture: architectureFromString(space, x.arch), measuredMs: x.measuredMs }));
  const judge = (t: (typeof tables)[number]): TableAccuracy =>
    tableAccuracy(rows.map((x) => ({ measuredMs: x.measuredMs, predictedMs: predictArchitectureLatencyExact(t, x.architecture) })))!;
  const line = (name: string, a: TableAccuracy) =>
    console.log(`| ${name} | ${(100 * a.within10).toFixed(1)}% | ${a.medianAbsErrPct.toFixed(2)}% | ${a.ratio.toFixed(3)} |`);
  console.log(`${rows.length} networks measured in ${file}; every table scaled to its reference (${r.reference.ms.toFixed(2)} ms)\n`);
  console.log('| table | within +-10% | median error | predicted/measured |\n|---|---|---|---|');
  tables.forEach((t, i) => line(`profile ${i + 1}`, judge(t)));
  const g = Number(values.group);
  for (let i = 0; i + g <= tables.length; i++)
    line(`median of profiles ${i + 1}-${i + g}`, judge(calibrateTable(medianTable(tables.slice(i, i + g), space), space, r.reference.ms)));
}

main();
