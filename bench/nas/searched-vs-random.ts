/**
 * The paper's claim as a bench: is the searched network better than random networks of the same
 * predicted latency? For each target (a fraction of the largest network's predicted latency):
 *  1. search (one shared warm-up, then the runtime loss with that target) -> the searched network;
 *  2. draw random architectures of the same space (each layer uniform over its ops, seeded) until
 *     --randoms of them lie within +-5% of the searched network's predicted latency;
 *  3. retrain every one of them from scratch with the same recipe, budget and seeds, and score it on
 *     a held-out split of the training data (never seen by search or retraining).
 * --search-limit N searches on the first N training images only (the search is the costlier per image:
 * it trains the whole superkernel), while every retraining uses the whole training split.
 * --search-config '<json>' adds search settings after the shared warm-up (e.g. maxFlipsPerStep); they
 * are recorded with the search. A search record marked `superseded` (with the reason) is kept for the
 * record and ignored: the bench searches that target again.
 * Results are appended per search / retrain to --out (JSONL): rerun the same command to resume.
 * Report: bench/nas/report-searched-vs-random.ts (table + figure).
 *
 *   node --import tsx bench/nas/searched-vs-random.ts [--fracs 0.5,0.7] [--randoms 4] [--seeds 0,1,2] \
 *     [--limit 12000 --val 2000] [--search-limit N] [--search-config '{...}'] [--search-epochs 4 --search-warmup 2 --lambda 20 --loss mnas] \
 *     [--recipe fast --train '{"epochs":3}'] [--out bench/nas/results/searched-vs-random.jsonl]
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import { trainConfigForRecipe } from '../../src/config/recipes';
import { parseSearchConfig } from '../../src/config/training-config';
import { subsetDataset } from '../../src/data/dataset';
import { evaluateTop1 } from '../../src/nas/evaluate';
import { runSearch } from '../../src/nas/search';
import { trainChild } from '../../src/nas/train-child';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { openStore } from '../../src/storage/open-store';
import { architectureFromString, architectureToString } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';
import { latencyRange } from '../../src/latency/latency-range';
import { predictArchitectureLatencyExact } from '../../src/latency/runtime-model';
import { sampleArchitectures } from '../../src/latency/sample-architectures';
import { appendJsonl, argMap, cifarSplits, evalBatches, readJsonl, ROOT, seedFromWarmup, sharedWarmup, tableByName, trainBatches } from './common';

const a = argMap(process.argv.slice(2));
const num = (k: string, d: number) => (a[k] !== undefined ? Number(a[k]) : d);

export interface SearchRecord {
  type: 'search';
  frac: number;
  targetMs: number;
  architecture: string;
  predictedMs: number;
  supernetTop1: number;
  /** Training images the search saw (the whole training split unless --search-limit). */
  searchImages?: number;
  /** --search-config: settings on top of the bench's search config. */
  searchConfig?: Record<string, unknown>;
  /** Why this search was replaced by a later one of the same target (then ignored). */
  superseded?: string;
  seconds: number;
}
export interface TrainRecord {
  type: 'train';
  frac: number;
  kind: 'searched' | 'random';
  architecture: string;
  predictedMs: number;
  seed: number;
  top1: number;
  wallSeconds: number;
  cpuSeconds: number;
  loadavg: number;
}

async function main(): Promise<void> {
  const { tf, name: backend } = loadTf();
  if (backend !== 'tensorflow') throw new Error(`native backend required, got '${backend}'`);
  const space = getPreset(a.space ?? 'cifar-small');
  const table = tableByName(space, a.table ?? 'shipped');
  const range = latencyRange(space, table);
  const out = path.resolve(ROOT, a.out ?? 'bench/nas/results/searched-vs-random.jsonl');
  // one work directory per results file: a warm-up on other data must never be picked up
  const work = path.resolve(a.work ?? path.join(os.tmpdir(), `spnas-${path.basename(out, '.jsonl')}`));
  const splits = await cifarSplits(space, num('limit', 12000), num('val', 2000));
  const searchTrain =
    a['search-limit'] !== undefined
      ? subsetDataset(
          splits.train,
          Array.from({ length: Math.min(num('search-limit', 0), splits.train.size) }, (_, i) => i),
        )
      : splits.train;
  const loss = (a.loss ?? 'mnas') as 'mnas' | 'hinge';
  const base = {
    epochs: num('search-epochs', 4),
    warmupEpochs: num('search-warmup', 2),
    batchSize: num('search-batch', 64),
    seed: 0,
    checkpointEvery: 100000,
    keepCheckpoints: 1,
  };
  const searchConfig = a['search-config'] ? (JSON.parse(a['search-config']) as Record<string, unknown>) : {};
  const seeds = (a.seeds ?? '0,1,2').split(',').map(Number);
  const nRandom = num('randoms', 4);
  const recs = () => readJsonl<SearchRecord | TrainRecord>(out);

  for (const frac of (a.fracs ?? '0.5,0.7').split(',').map(Number)) {
    // 1. the searched network
    let search = recs().find((r): r is SearchRecord => r.type === 'search' && r.frac === frac && !r.superseded);
    if (!search) {
      await sharedWarmup({
        tf,
        space,
        config: parseSearchConfig({ ...base, runtimeLoss: { kind: 'log', lambda: 0 } }),
        table,
        train: searchTrain,
        dir: path.join(work, 'warmup'),
      });
      const targetMs = frac * range.largestMs;
      const config = parseSearchConfig({ ...base, ...searchConfig, runtimeLoss: { kind: loss, lambda: num('lambda', 20), targetMs } });
      const dir = path.join(work, `search-${frac}`);
      seedFromWarmup(path.join(work, 'warmup'), dir);
      const t0 = Date.now();
      const r = await runSearch({
        tf,
        space,
        config,
        table,
        train: trainBatches(space, searchTrain, config),
        checkpoints: new CheckpointStore(openStore(dir), 'checkpoints', { keep: 1 }),
      });
      const val = await evaluateTop1(tf, (x) => r.supernet.forward(x, { training: false }).logits, evalBatches(space, splits.val), [
        space.inputSize,
        space.inputSize,
        space.inputChannels,
      ]);
      r.supernet.dispose();
      search = {
        type: 'search',
        frac,
        targetMs,
        architecture: architectureToString(r.architecture),
        predictedMs: predictArchitectureLatencyExact(table, r.architecture),
        supernetTop1: val.top1,
        searchImages: searchTrain.size,
        ...(a['search-config'] ? { searchConfig } : {}),
        seconds: (Date.now() - t0) / 1000,
      };
      appendJsonl(out, search);
      process.stdout.write(`search ${frac}: ${search.architecture} ${search.predictedMs.toFixed(2)} ms (target ${targetMs.toFixed(2)})\n`);
    }
    // 2. random architectures within +-5% of the searched network's predicted latency (seeded, reproducible)
    const randoms: string[] = [];
    for (let s = 1; randoms.length < nRandom && s < 200; s++) {
      for (const arch of sampleArchitectures(space, 5000, 1000 * s + Math.round(frac * 100))) {
        const ms = predictArchitectureLatencyExact(table, arch);
        const str = architectureToString(arch);
        if (Math.abs(ms / search.predictedMs - 1) <= 0.05 && str !== search.architecture && !randoms.includes(str)) randoms.push(str);
        if (randoms.length >= nRandom) break;
      }
    }
    if (randoms.length < nRandom) throw new Error(`only ${randoms.length} random architectures within 5% of ${search.predictedMs.toFixed(2)} ms`);
    // 3. retrain everything with the same recipe and seeds, seed-major so partial results stay balanced
    const candidates = [
      { kind: 'searched' as const, architecture: search.architecture },
      ...randoms.map((architecture) => ({ kind: 'random' as const, architecture })),
    ];
    for (const seed of seeds) {
      for (const c of candidates) {
        if (recs().some((r) => r.type === 'train' && r.frac === frac && r.architecture === c.architecture && r.seed === seed)) continue;
        const arch = architectureFromString(space, c.architecture);
        const config = trainConfigForRecipe(a.recipe ?? 'fast', { ...(a.train ? JSON.parse(a.train) : { epochs: 3 }), seed });
        const t0 = Date.now();
        const c0 = process.cpuUsage();
        const r = await trainChild({ tf, space, architecture: arch, config, train: trainBatches(space, splits.train, config) });
        const val = await evaluateTop1(tf, (x) => r.model.predict(x) as ReturnType<typeof tf.zeros>, evalBatches(space, splits.val), [
          space.inputSize,
          space.inputSize,
          space.inputChannels,
        ]);
        r.model.dispose();
        const cpu = process.cpuUsage(c0);
        const rec: TrainRecord = {
          type: 'train',
          frac,
          kind: c.kind,
          architecture: c.architecture,
          predictedMs: predictArchitectureLatencyExact(table, arch),
          seed,
          top1: val.top1,
          wallSeconds: (Date.now() - t0) / 1000,
          cpuSeconds: (cpu.user + cpu.system) / 1e6,
          loadavg: os.loadavg()[0]!,
        };
        appendJsonl(out, rec);
        process.stdout.write(`train ${frac} ${c.kind} seed ${seed}: ${(100 * val.top1).toFixed(2)}% ${c.architecture} (${rec.wallSeconds.toFixed(0)} s)\n`);
      }
    }
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
