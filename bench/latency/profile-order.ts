/**
 * Bench (not a test): does timing a profile's rounds in a new random order each round make a better
 * table than the same order every round? Side by side in one process: `--profiles` profiles of each
 * kind, alternating (fixed, shuffled, fixed, ...), each as the study's prepare step profiles (15
 * rounds, 10 checked networks) and scaled to one reference measured after them; then `--networks`
 * seeded random networks, each measured once as a trial's network is (paired with the reference), and
 * every table's accuracy on those same measurements. Run it on an idle machine.
 *
 *   npm run bench -- latency-profile-order [--space cifar-small] [--profiles 2] [--networks 40] [--repeats 300] [--seed 11]
 *
 * Writes bench/latency/results/profile-order-<stamp>.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadTf } from '../../src/backend/tf';
import { calibrateTable } from '../../src/latency/calibrate-table';
import { tableAccuracy } from '../../src/latency/prediction-error';
import { predictArchitectureLatencyExact } from '../../src/latency/runtime-model';
import { profileSpace } from '../../src/profiler/profiler';
import { getPreset } from '../../src/space/presets';
import { deviceReference } from '../../src/usecases/device-reference';
import { machineNote, resultName } from './machine';
import { measureRandomNetworks } from './random-networks';

const { values } = parseArgs({
  options: {
    space: { type: 'string', default: 'cifar-small' },
    profiles: { type: 'string', default: '2' },
    networks: { type: 'string', default: '40' },
    repeats: { type: 'string', default: '300' },
    seed: { type: 'string', default: '11' },
  },
});

async function main(): Promise<void> {
  const before = machineNote();
  const space = getPreset(values.space!);
  const { tf } = loadTf();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-profile-order-'));
  const raw: Array<{ order: 'fixed' | 'shuffled'; table: Awaited<ReturnType<typeof profileSpace>>['table'] }> = [];
  for (let p = 0; p < Number(values.profiles); p++)
    for (const order of ['fixed', 'shuffled'] as const) {
      const r = await profileSpace(tf, space, { repeats: 15, samples: 10, seed: 1 + p, shuffledOrder: order === 'shuffled' });
      raw.push({ order, table: r.table });
      console.error(`profile ${raw.length}: ${order} order, ${r.seconds.toFixed(1)} s`);
    }
  const reference = await deviceReference(space, { cacheDir, refresh: true });
  const tables = raw.map((t) => ({ ...t, table: calibrateTable(t.table, space, reference.ms) }));
  const rows = (await measureRandomNetworks(space, values, cacheDir)).map(({ architecture, ...m }) => ({
    ...m,
    predictedMs: tables.map((t) => predictArchitectureLatencyExact(t.table, architecture)),
  }));
  const results = tables.map((t, k) => ({
    order: t.order,
    factor: t.table.meta!.calibration!.factor,
    accuracy: tableAccuracy(rows.map((r) => ({ measuredMs: r.measuredMs, predictedMs: r.predictedMs[k]! })))!,
  }));
  const after = machineNote();
  for (const r of results)
    console.log(
      `${r.order.padEnd(8)} order: ${(100 * r.accuracy.within10).toFixed(0)}% of ${r.accuracy.count} networks within +-10%, median error ${r.accuracy.medianAbsErrPct.toFixed(1)}%, predicted/measured ${r.accuracy.ratio.toFixed(2)}x (scaled by ${r.factor.toFixed(3)})`,
    );
  console.log(`reference ${reference.ms.toFixed(2)} ms; load average ${before.loadavg[0]} -> ${after.loadavg[0]} on ${before.cores} cores`);
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, resultName('profile-order'));
  fs.writeFileSync(
    file,
    JSON.stringify(
      { space: values.space, repeats: Number(values.repeats), reference, results, tables: tables.map((t) => t.table), before, after, rows },
      null,
      1,
    ),
  );
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((err) => ((process.exitCode = 1), console.error(err)));
