/**
 * Bench (not a test): does timing a profile's rounds in a new random order each round make a better
 * table than the same order every round? Side by side in one process: `--profiles` profiles of each
 * kind, alternating (fixed, shuffled, fixed, ...), each as the study's prepare step profiles (15
 * rounds, 10 checked networks) and scaled to one reference measured after them; then `--networks`
 * seeded random networks, each measured once as a trial's network is (paired with the reference), and
 * every table's accuracy on those same measurements. Run it on an idle machine.
 *
 *   npm run bench -- latency-profile-order [--space cifar-small] [--profiles 2] [--orders fixed,shuffled] [--networks 40] [--repeats 300] [--seed 11]
 *
 * Each profile's shape error on its own checked networks (profile-shape.ts) is recorded beside
 * its accuracy on the measured networks: is the in-profile check a predictor of the real one?
 *
 * Writes bench/latency/results/profile-order-<stamp>.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadTf } from '../../src/backend/tf';
import { calibrateTable } from '../../src/latency/calibrate-table';
import type { LatencyTable } from '../../src/latency/latency-table';
import { tableAccuracy, type ErrorStats, type PredictionSample } from '../../src/latency/prediction-error';
import { shapeError } from './profile-shape';
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
    orders: { type: 'string', default: 'fixed,shuffled' },
  },
});

async function main(): Promise<void> {
  const before = machineNote();
  const space = getPreset(values.space!);
  const { tf } = loadTf();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-profile-order-'));
  const orders = values.orders!.split(',').map((o) => {
    if (o !== 'fixed' && o !== 'shuffled') throw new Error(`--orders: '${o}' is neither 'fixed' nor 'shuffled'`);
    return o;
  });
  const raw: Array<{ order: 'fixed' | 'shuffled'; table: LatencyTable; ownShape: ErrorStats | undefined; ownNetworks: PredictionSample[] }> = [];
  for (let p = 0; p < Number(values.profiles); p++)
    for (const order of orders) {
      const r = await profileSpace(tf, space, { repeats: 15, samples: 10, seed: 1 + p, shuffledOrder: order === 'shuffled' });
      raw.push({ order, table: r.table, ownShape: shapeError(r.report?.samples ?? []), ownNetworks: r.report?.samples ?? [] });
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
    ownShape: t.ownShape,
    ownNetworks: t.ownNetworks,
    factor: t.table.meta!.calibration!.factor,
    accuracy: tableAccuracy(rows.map((r) => ({ measuredMs: r.measuredMs, predictedMs: r.predictedMs[k]! })))!,
  }));
  const after = machineNote();
  for (const r of results)
    console.log(
      `${r.order.padEnd(8)} order: ${(100 * r.accuracy.within10).toFixed(0)}% of ${r.accuracy.count} networks within +-10%, median error ${r.accuracy.medianAbsErrPct.toFixed(1)}%, predicted/measured ${r.accuracy.ratio.toFixed(2)}x (scaled by ${r.factor.toFixed(3)}); own networks: ${(100 * (r.ownShape?.within10 ?? NaN)).toFixed(0)}% within, max shape error ${r.ownShape?.maxAbsErrPct.toFixed(1)}%`,
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
