/**
 * lambda sweep with the 'log' runtime loss: one shared warm-up, one search per lambda continued from
 * it, then the derived networks' predicted latency (table) and measured latency (batch 1, this
 * backend), all networks timed in the same interleaved rounds in one process so that load from other
 * jobs hits them alike. Appends the searches to --out as they finish (resumable) and the measurement as
 * a final line.
 *
 *   node --import tsx bench/nas/lambda-sweep.ts --space cifar-small --lambdas 5,15,45,135 \
 *     [--limit 3000 --val 500 --batch 32 --epochs 3 --warmup 1.5] [--rounds 200] [--out bench/nas/results/lambda-sweep.jsonl]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import { parseSearchConfig } from '../../src/config/training-config';
import { buildChild } from '../../src/nas/child-builder';
import { latencySamples } from '../../src/nas/model-timing';
import { runSearch } from '../../src/nas/search';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { openStore } from '../../src/storage/open-store';
import { architectureFromString, architectureToString } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';
import { predictArchitectureLatencyExact } from '../../src/latency/runtime-model';
import { quantile } from '../../src/latency/statistic';
import { appendJsonl, argMap, cifarSplits, readJsonl, ROOT, seedFromWarmup, sharedWarmup, tableByName, trainBatches } from './common';

const a = argMap(process.argv.slice(2));
const num = (k: string, d: number) => (a[k] !== undefined ? Number(a[k]) : d);

export interface SweepSearch {
  type: 'search';
  tag: string;
  lambda: number;
  architecture: string;
  predictedMs: number;
  seconds: number;
}
export interface SweepMeasure {
  type: 'measure';
  tag: string;
  lambdas: number[];
  architectures: string[];
  predictedMs: number[];
  meanMs: number[];
  medianMs: number[];
  rounds: number;
  loadavg: number[];
  decreasingRounds: number;
}

async function main(): Promise<void> {
  const { tf, name: backend } = loadTf();
  if (backend !== 'tensorflow') throw new Error(`native backend required, got '${backend}'`);
  const space = getPreset(a.space ?? 'cifar-small');
  const table = tableByName(space, a.table ?? 'shipped');
  const tag = a.tag ?? 'default';
  const out = path.resolve(ROOT, a.out ?? 'bench/nas/results/lambda-sweep.jsonl');
  const work = path.resolve(a.work ?? path.join(os.tmpdir(), 'spnas-lambda-sweep'), `${tag}-${space.name}`);
  const lambdas = (a.lambdas ?? '5,15,45,135').split(',').map(Number);
  const base = {
    epochs: num('epochs', 3),
    warmupEpochs: num('warmup', 1.5),
    batchSize: num('batch', 32),
    seed: 0,
    checkpointEvery: 100000,
    keepCheckpoints: 1,
    ...(a.config ? JSON.parse(a.config) : {}),
  };
  const splits = await cifarSplits(space, num('limit', 3000), num('val', 500));
  await sharedWarmup({
    tf,
    space,
    config: parseSearchConfig({ ...base, runtimeLoss: { kind: 'log', lambda: 0 } }),
    table,
    train: splits.train,
    dir: path.join(work, 'warmup'),
  });
  for (const lambda of lambdas) {
    if (readJsonl<SweepSearch>(out).some((r) => r.type === 'search' && r.tag === tag && r.lambda === lambda)) continue;
    const config = parseSearchConfig({ ...base, runtimeLoss: { kind: 'log', lambda } });
    const dir = path.join(work, `lambda-${lambda}`);
    seedFromWarmup(path.join(work, 'warmup'), dir);
    const t0 = Date.now();
    const r = await runSearch({
      tf,
      space,
      config,
      table,
      train: trainBatches(space, splits.train, config),
      checkpoints: new CheckpointStore(openStore(dir), 'checkpoints', { keep: 1 }),
    });
    r.supernet.dispose();
    const rec: SweepSearch = {
      type: 'search',
      tag,
      lambda,
      architecture: architectureToString(r.architecture),
      predictedMs: predictArchitectureLatencyExact(table, r.architecture),
      seconds: (Date.now() - t0) / 1000,
    };
    appendJsonl(out, rec);
    process.stdout.write(`lambda ${lambda}: ${rec.architecture} ${rec.predictedMs.toFixed(2)} ms\n`);
  }
  // measured latency: every network in the same interleaved rounds
  const searches = lambdas.map((l) => readJsonl<SweepSearch>(out).find((r) => r.type === 'search' && r.tag === tag && r.lambda === l)!);
  const models = searches.map((s) => ({
    label: `lambda ${s.lambda}`,
    model: buildChild(tf, space, architectureFromString(space, s.architecture), { seed: 0 }),
    inputShape: [space.inputSize, space.inputSize, space.inputChannels],
  }));
  const load0 = os.loadavg()[0]!;
  const rounds = num('rounds', 200);
  const samples = await latencySamples(tf, models, { warmup: 10, repeats: rounds });
  models.forEach((m) => m.model.dispose());
  const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
  // rounds in which the four measured latencies are strictly decreasing in lambda
  let decreasingRounds = 0;
  for (let r = 0; r < rounds; r++) if (samples.every((s, i) => i === 0 || s[r]! < samples[i - 1]![r]!)) decreasingRounds++;
  const rec: SweepMeasure = {
    type: 'measure',
    tag,
    lambdas,
    architectures: searches.map((s) => s.architecture),
    predictedMs: searches.map((s) => s.predictedMs),
    meanMs: samples.map(mean),
    medianMs: samples.map((s) => quantile(s, 0.5)),
    rounds,
    loadavg: [load0, os.loadavg()[0]!],
    decreasingRounds,
  };
  appendJsonl(out, rec);
  fs.writeFileSync(out.replace(/\.jsonl$/, `-${tag}-samples.json`), JSON.stringify({ lambdas, samples }) + '\n');
  process.stdout.write(`${JSON.stringify(rec)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
