/**
 * Bench (not a test): how well this device's latency table predicts whole networks measured as a
 * study measures them. Takes the device's table (the table cache, profiled here when none is cached,
 * src/usecases/device-table.ts; `--fresh`: profiled now, in an empty cache, with its reference) or
 * `--table shipped` / `--table <file>`, measures `--networks` seeded random networks one at a time as
 * the evaluate step does (paired with the device's reference, `--repeats` pairs), and reports
 * nn-Meter's share within +-10% and the median error, with the machine and load average. Run it on an
 * idle machine.
 *
 *   npm run bench -- latency-table-accuracy [--space cifar-small] [--networks 40] [--repeats 300] [--seed 11] [--table device|shipped|<file>] [--fresh]
 *     [--profile-repeats 15] [--profile-samples 10]
 *
 * A profiled table is scaled to its reference (src/latency/calibrate-table.ts); each row also carries
 * the unscaled prediction, and the summary line the accuracy of both.
 *
 * Writes bench/latency/results/table-accuracy-<stamp>.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultTableFor } from '../../src/latency/default-tables';
import { DEFAULT_DEVICE_CHECK } from '../../src/latency/table-check';
import { parseLatencyTableFor } from '../../src/latency/latency-table';
import { tableAccuracy } from '../../src/latency/prediction-error';
import { predictArchitectureLatencyExact } from '../../src/latency/runtime-model';
import { getPreset } from '../../src/space/presets';
import { tableCacheDir } from '../../src/usecases/device-cache';
import { deviceTable } from '../../src/usecases/device-table';
import { machineNote, resultName } from './machine';
import { measureRandomNetworks } from './random-networks';

const { values } = parseArgs({
  options: {
    space: { type: 'string', default: 'cifar-small' },
    networks: { type: 'string', default: '40' },
    repeats: { type: 'string', default: '300' },
    fresh: { type: 'boolean', default: false },
    seed: { type: 'string', default: '11' },
    table: { type: 'string', default: 'device' },
    // the study's prepare step profiles with 15 rounds and 10 checked networks (prepare-study.ts)
    'profile-repeats': { type: 'string', default: '15' },
    'profile-samples': { type: 'string', default: '10' },
  },
});

async function main(): Promise<void> {
  const before = machineNote();
  const space = getPreset(values.space!);
  const which = values.table!;
  const cacheDir = values.fresh ? fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-accuracy-')) : tableCacheDir();
  const table =
    which === 'device'
      ? (
          await deviceTable(
            {
              space,
              check: DEFAULT_DEVICE_CHECK,
              profile: { repeats: Number(values['profile-repeats']), samples: Number(values['profile-samples']) },
              cacheDir,
            },
            { log: (l) => console.error(l) },
          )
        ).table
      : which === 'shipped'
        ? defaultTableFor(space)
        : parseLatencyTableFor(space, JSON.parse(fs.readFileSync(which, 'utf8')), which);
  const factor = table.meta?.calibration?.factor ?? 1;
  const rows = (await measureRandomNetworks(space, values, cacheDir)).map(({ architecture, ...m }) => {
    const predictedMs = predictArchitectureLatencyExact(table, architecture);
    return { ...m, predictedMs, uncalibratedMs: predictedMs / factor };
  });
  const acc = tableAccuracy(rows)!;
  const raw = tableAccuracy(rows.map((r) => ({ measuredMs: r.measuredMs, predictedMs: r.uncalibratedMs })))!;
  const after = machineNote();
  console.log(
    `${which} table of ${values.space} (${table.device}) on ${acc.count} random networks: ${(100 * acc.within10).toFixed(0)}% within +-10%, median error ${acc.medianAbsErrPct.toFixed(1)}%, predicted/measured ${acc.ratio.toFixed(2)}x (unscaled, calibration factor ${factor.toFixed(3)}: ${(100 * raw.within10).toFixed(0)}%, ${raw.medianAbsErrPct.toFixed(1)}%, ${raw.ratio.toFixed(2)}x); load average ${before.loadavg[0]} -> ${after.loadavg[0]} on ${before.cores} cores`,
  );
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, resultName(`table-accuracy-${which === 'device' || which === 'shipped' ? which : 'file'}${values.fresh ? '-fresh' : ''}`));
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        space: values.space,
        table: which,
        fresh: values.fresh,
        tableDevice: table.device,
        fingerprint: table.meta?.fingerprint,
        repeats: Number(values.repeats),
        profile: { repeats: Number(values['profile-repeats']), samples: Number(values['profile-samples']), profiles: table.meta?.profiles ?? 1 },
        calibration: table.meta?.calibration,
        // the table itself, so that it can be judged again offline
        latencyTable: table,
        accuracy: acc,
        uncalibrated: raw,
        before,
        after,
        rows,
      },
      null,
      1,
    ),
  );
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((err) => ((process.exitCode = 1), console.error(err)));
