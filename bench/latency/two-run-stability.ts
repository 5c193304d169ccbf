/**
 * Bench (not a test): is a measured latency stable between runs? Measures the same N networks in two
 * separate processes, one after the other, exactly as a study's evaluate step measures a trial's
 * network (nas/measure-latency.ts: batch 1, warm-up, `--repeats` timed calls, the mean with its 95%
 * bootstrap interval), and reports each network's run-2 / run-1 ratio and the share within +-3% (the
 * goal of issue 24 point 4), with the machine and load average before and after. Run it on an idle
 * machine; under load it measures the load.
 *
 *   npm run bench -- latency-stability [--space cifar-small] [--networks 20] [--repeats 30] [--seed 3]
 *     [--mode evaluate|sequential|interleaved|paired]
 *
 * evaluate (default): as the evaluate step measures now (usecases/device-reference.ts): each network
 * paired with the device's reference, whose latency the first process measures and caches for both.
 * The modes that led to it keep every timed call, and give the share within +-3% for each statistic
 * and relative to network 0 (the largest) measured in the same process: sequential, one network at a
 * time by its own calls (the evaluate step before); interleaved, all networks in the same rounds (the
 * profiler's whole-network check); paired, each network's calls alternating with network 0's.
 *
 * Writes bench/latency/results/stability-<mode>-<stamp>.json.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { machineNote, resultName } from './machine';

const { values } = parseArgs({
  options: {
    space: { type: 'string', default: 'cifar-small' },
    networks: { type: 'string', default: '20' },
    repeats: { type: 'string', default: '30' },
    seed: { type: 'string', default: '3' },
    mode: { type: 'string', default: 'evaluate' },
    child: { type: 'boolean', default: false },
  },
});

interface Measured {
  arch: string;
  ms: number;
  low: number;
  high: number;
  /** Every timed call (ms), so other statistics can be compared on the same measurements. */
  samples: number[];
  /** --mode paired: the reference's call just before each of `samples`. */
  reference?: number[];
  /** --mode evaluate: the pair ratio, the reference latency it was turned into ms with, and the reference as this process alone measured it. */
  ratio?: number;
  referenceMs?: number;
  ownReferenceMs?: number;
}

async function child(): Promise<void> {
  const { loadTf } = await import('../../src/backend/tf');
  const { getPreset } = await import('../../src/space/presets');
  const { sampleArchitectures } = await import('../../src/latency/sample-architectures');
  const { buildChild } = await import('../../src/nas/child-builder');
  const { latencySamples } = await import('../../src/nas/model-timing');
  const { MEASURE_WARMUP, summariseLatency } = await import('../../src/nas/measure-latency');
  const { timingBackend } = await import('../../src/nas/timing-backend');
  const { architectureToString, largestArchitecture } = await import('../../src/space/architecture');
  const { tf } = loadTf();
  const space = getPreset(values.space!);
  const archs = [largestArchitecture(space), ...sampleArchitectures(space, Number(values.networks) - 1, Number(values.seed))];
  const shape = [space.inputSize, space.inputSize, space.inputChannels];
  const repeats = Number(values.repeats);
  const build = (i: number) => ({ label: `${i}`, model: buildChild(tf, space, archs[i]!, { seed: i }), inputShape: shape });
  if (values.mode === 'evaluate') {
    // as a study's evaluate step measures now: against the device's reference, whose latency the first
    // process measures and caches (the cache directory both processes share, like two studies on one
    // device); each process also measures a reference of its own (a fresh cache), to show the unit's
    // own variation between processes
    const { measureOnDevice, deviceReference } = await import('../../src/usecases/device-reference');
    const cacheDir = process.env.SPNAS_TABLE_CACHE!;
    const own = await deviceReference(space, { cacheDir: fs.mkdtempSync(path.join(cacheDir, 'own-')) });
    const out: Measured[] = [];
    for (let i = 0; i < archs.length; i++) {
      const m = build(i);
      const l = await measureOnDevice(space, m.model, { cacheDir, pairs: repeats });
      m.model.dispose();
      out.push({
        arch: architectureToString(archs[i]!),
        ms: l.latencyMs,
        low: l.latencyLowMs,
        high: l.latencyHighMs,
        samples: [],
        ratio: l.latencyRatio!,
        referenceMs: l.latencyReferenceMs!,
        ownReferenceMs: own.ms,
      });
    }
    process.stdout.write(JSON.stringify(out));
    return;
  }
  let samples: number[][];
  const reference: number[][] = [];
  if (values.mode === 'paired') {
    // each network's calls alternate with the reference's (network 0): a pair shares the machine's state
    const ref = build(0);
    samples = [];
    for (let i = 0; i < archs.length; i++) {
      const m = i === 0 ? build(0) : build(i);
      const [r, x] = await latencySamples(tf, [ref, m], { warmup: MEASURE_WARMUP, repeats });
      samples.push(x!);
      reference.push(r!);
      m.model.dispose();
    }
    ref.model.dispose();
  } else if (values.mode === 'interleaved') {
    // every network in the same rounds, as the profiler's whole-network check does
    const models = archs.map((_, i) => build(i));
    samples = await latencySamples(tf, models, { warmup: MEASURE_WARMUP, repeats });
    models.forEach((m) => m.model.dispose());
  } else {
    // one model at a time, built, measured and disposed, as the evaluate step does (measureModelLatency)
    samples = [];
    for (let i = 0; i < archs.length; i++) {
      const m = build(i);
      samples.push((await latencySamples(tf, [m], { warmup: MEASURE_WARMUP, repeats }))[0]!);
      m.model.dispose();
    }
  }
  const out: Measured[] = archs.map((arch, i) => {
    const l = summariseLatency(samples[i]!, timingBackend(tf));
    return { arch: architectureToString(arch), ms: l.latencyMs, low: l.latencyLowMs, high: l.latencyHighMs, samples: samples[i]!, reference: reference[i] };
  });
  process.stdout.write(JSON.stringify(out));
}

/** --mode evaluate: one table cache for both processes, fresh for this bench. */
const sharedCache = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'spnas-stability-'));

function run(): Measured[] {
  const args = [
    '--import',
    'tsx',
    __filename,
    '--child',
    '--space',
    values.space!,
    '--networks',
    values.networks!,
    '--repeats',
    values.repeats!,
    '--seed',
    values.seed!,
    '--mode',
    values.mode!,
  ];
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SPNAS_TABLE_CACHE: sharedCache },
  });
  if (r.status !== 0) throw new Error(`measuring process failed (${r.status})`);
  return JSON.parse(r.stdout) as Measured[];
}

function main(): void {
  const before = machineNote();
  const a = run();
  const b = run();
  const after = machineNote();
  const rows = a.map((x, i) => ({ arch: x.arch, run1: x, run2: b[i]!, ratio: b[i]!.ms / x.ms }));
  const within3 = rows.filter((r) => Math.abs(r.ratio - 1) <= 0.03 + 1e-12).length / rows.length;
  const maxDev = Math.max(...rows.map((r) => Math.abs(r.ratio - 1)));
  const intervalHalfWidth = rows.map((r) => (r.run1.high - r.run1.low) / 2 / r.run1.ms);
  console.log('| network | run 1 ms [95% interval] | run 2 ms [95% interval] | run 2 / run 1 |');
  console.log('|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| \`${r.arch}\` | ${r.run1.ms.toFixed(2)} [${r.run1.low.toFixed(2)}, ${r.run1.high.toFixed(2)}] | ${r.run2.ms.toFixed(2)} [${r.run2.low.toFixed(2)}, ${r.run2.high.toFixed(2)}] | ${r.ratio.toFixed(3)} |`,
    );
  console.log(
    `\n${rows.length} networks of ${values.space}, ${values.repeats} timed calls each: ${(100 * within3).toFixed(0)}% within +-3% between the two processes, largest deviation ${(100 * maxDev).toFixed(1)}%; median interval half-width ${(100 * intervalHalfWidth.sort((x, y) => x - y)[intervalHalfWidth.length >> 1]!).toFixed(1)}%; load average ${before.loadavg[0]} -> ${after.loadavg[0]} on ${before.cores} cores`,
  );
  let byStatistic: Array<{ statistic: string; within3: number; relativeWithin3: number; referenceRatio: number }> = [];
  let unit: Record<string, number> = {};
  if (values.mode === 'evaluate') {
    unit = {
      sharedReferenceMs: a[0]!.referenceMs!,
      ownReferenceMs1: a[0]!.ownReferenceMs!,
      ownReferenceMs2: b[0]!.ownReferenceMs!,
      ownReferenceRatio: b[0]!.ownReferenceMs! / a[0]!.ownReferenceMs!,
    };
    console.log(
      `\nreference (the largest network) measured by process 1 and shared through the cache: ${unit.sharedReferenceMs!.toFixed(2)} ms; measured by each process alone: ${unit.ownReferenceMs1!.toFixed(2)} and ${unit.ownReferenceMs2!.toFixed(2)} ms (run 2 / run 1 ${unit.ownReferenceRatio!.toFixed(3)})`,
    );
  } else byStatistic = statisticTable(a, b);
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, resultName(`stability-${values.mode}`));
  fs.writeFileSync(
    file,
    JSON.stringify(
      { space: values.space, mode: values.mode, repeats: Number(values.repeats), within3, maxDev, byStatistic, unit, before, after, rows },
      null,
      1,
    ),
  );
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

/** The same calls under other statistics, absolute and relative to network 0 (the largest) of the same process. */
function statisticTable(a: Measured[], b: Measured[]) {
  const { reduceSamples, STATISTICS } = require('../../src/latency/statistic') as typeof import('../../src/latency/statistic');
  const share = (r1: number[], r2: number[], from: number) => {
    let n = 0;
    for (let i = from; i < r1.length; i++) if (Math.abs(r2[i]! / r1[i]! - 1) <= 0.03 + 1e-12) n++;
    return n / (r1.length - from);
  };
  const byStatistic: Array<{ statistic: string; within3: number; relativeWithin3: number; referenceRatio: number }> = STATISTICS.map((statistic) => {
    const s1 = reduceSamples(
      a.map((x) => x.samples),
      statistic,
    );
    const s2 = reduceSamples(
      b.map((x) => x.samples),
      statistic,
    );
    return {
      statistic,
      within3: share(s1, s2, 0),
      relativeWithin3: share(
        s1.map((x) => x / s1[0]!),
        s2.map((x) => x / s2[0]!),
        1,
      ),
      referenceRatio: s2[0]! / s1[0]!,
    };
  });
  if (values.mode === 'paired') {
    // median over pairs of (network call / the reference's call just before it)
    const { quantile } = require('../../src/latency/statistic') as typeof import('../../src/latency/statistic');
    const ratio = (m: Measured) =>
      quantile(
        m.samples.map((x, k) => x / m.reference![k]!),
        0.5,
      );
    const r1 = a.map(ratio);
    const r2 = b.map(ratio);
    byStatistic.push({ statistic: 'paired-median-ratio', within3: share(r1, r2, 1), relativeWithin3: NaN, referenceRatio: NaN });
  }
  console.log(`\n| statistic (${values.mode}) | within +-3% | relative to network 0, within +-3% | network 0 run 2 / run 1 |\n|---|---|---|---|`);
  for (const r of byStatistic)
    console.log(`| ${r.statistic} | ${(100 * r.within3).toFixed(0)}% | ${(100 * r.relativeWithin3).toFixed(0)}% | ${r.referenceRatio.toFixed(3)} |`);
  return byStatistic;
}

if (values.child) child().catch((err) => ((process.exitCode = 1), console.error(err)));
else main();
