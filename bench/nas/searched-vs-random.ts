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
 * --search-seeds 0,1,2 searches each target once per engine seed (each seed its own warm-up), so the
 * comparison carries the search's own variance; with more than one search seed the random networks
 * lie within +-5% of the mean predicted latency of the target's searched networks, and every searched
 * network is retrained and scored like the random ones.
 * --plan N uses the evidence benches' data plan (bench/evidence/problem.ts) instead of a split of the
 * first --limit images: searches on the first --search-limit trial-training images, retraining on the
 * first N, scores on the 5,000-image selection split; a retraining the evidence benches already
 * recorded with the same network, budget and seed (bench/evidence/results) is reused, not repeated.
 * Results are appended per search / retrain to --out (JSONL): rerun the same command to resume.
 * Report: bench/nas/report-searched-vs-random.ts (table + figure).
 *
 *   node --import tsx bench/nas/searched-vs-random.ts [--fracs 0.5,0.7] [--randoms 4] [--seeds 0,1,2] \
 *     [--limit 12000 --val 2000] [--search-limit N] [--search-config '{...}'] [--search-epochs 4 --search-warmup 2 --lambda 20 --loss mnas] \
 *     [--recipe fast --train '{"epochs":3}'] [--search-seeds 0] [--plan N] [--out bench/nas/results/searched-vs-random.jsonl]
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
import { parseTrainConfig, type TrainConfig } from '../../src/config/training-config';
import type { ImageDataset } from '../../src/data/dataset';
import type { LatencyTable } from '../../src/latency/latency-table';
import type { SearchSpace } from '../../src/space/spec';
import { canonicalJson } from '../../src/study/content-key';
import { studyRetrainConfig } from '../../src/study/retrain-config';
import { loadSplits } from '../../src/usecases/datasets';
import { SEARCH_IMAGES, studySpecAt, TRIAL_BUDGETS, trialData, type TrialBudget } from '../evidence/problem';
import { FILES as EVIDENCE, findTrain, type TrainRecord as EvidenceTrain } from '../evidence/records';
import { appendJsonl, argMap, cifarSplits, evalBatches, readJsonl, ROOT, seedFromWarmup, sharedWarmup, tableByName, trainBatches } from './common';

const a = argMap(process.argv.slice(2));
const num = (k: string, d: number) => (a[k] !== undefined ? Number(a[k]) : d);

export interface SearchRecord {
  type: 'search';
  frac: number;
  /** Engine seed of the warm-up and search (0 when absent: the records before --search-seeds). */
  searchSeed?: number;
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
  /** Searched networks: the search seeds that found this network. */
  searchSeeds?: number[];
  /** Scored images and correct ones (the Wilson interval of one score). */
  correct?: number;
  count?: number;
  /** Taken from this evidence record file instead of retraining again (the same network, budget and seed). */
  reused?: string;
  architecture: string;
  predictedMs: number;
  seed: number;
  top1: number;
  wallSeconds: number;
  cpuSeconds: number;
  loadavg: number;
}

/** Random architectures of the space within +-5% of `refMs` predicted, not in `exclude` (seeded, reproducible). */
function randomsNear(space: SearchSpace, table: LatencyTable, refMs: number, n: number, salt: number, exclude: string[]): string[] {
  const out: string[] = [];
  for (let s = 1; out.length < n && s < 200; s++) {
    for (const arch of sampleArchitectures(space, 5000, 1000 * s + salt)) {
      const str = architectureToString(arch);
      if (Math.abs(predictArchitectureLatencyExact(table, arch) / refMs - 1) <= 0.05 && !exclude.includes(str) && !out.includes(str)) out.push(str);
      if (out.length >= n) break;
    }
  }
  if (out.length < n) throw new Error(`only ${out.length} random architectures within 5% of ${refMs.toFixed(2)} ms`);
  return out;
}

/** The data: a split of the first --limit images, or (--plan N) the evidence benches' data plan. */
async function loadData(space: SearchSpace): Promise<{ search: ImageDataset; train: ImageDataset; val: ImageDataset }> {
  if (a.plan !== undefined) {
    const search = await loadSplits(space, trialData(num('search-limit', SEARCH_IMAGES)));
    const train = await loadSplits(space, trialData(num('plan', 0)));
    return { search: search.train, train: train.train, val: train.val };
  }
  const splits = await cifarSplits(space, num('limit', 12000), num('val', 2000));
  const search =
    a['search-limit'] !== undefined
      ? subsetDataset(
          splits.train,
          Array.from({ length: Math.min(num('search-limit', 0), splits.train.size) }, (_, i) => i),
        )
      : splits.train;
  return { search, train: splits.train, val: splits.val };
}

/** An evidence-bench retraining of the same network with the same data, config and seed, if recorded (--plan only). */
function evidenceRecord(architecture: string, config: TrainConfig): { rec: EvidenceTrain; file: string } | undefined {
  if (a.plan === undefined) return undefined;
  for (const [budget, b] of Object.entries(TRIAL_BUDGETS) as Array<[TrialBudget, (typeof TRIAL_BUDGETS)[TrialBudget]]>) {
    if (b.images !== num('plan', 0)) continue;
    const spec = studySpecAt(budget);
    const theirs = parseTrainConfig({ ...studyRetrainConfig(spec.budget.retrain, spec.budget.batchSize), seed: config.seed, epochs: config.epochs });
    if (canonicalJson(theirs) !== canonicalJson(config)) continue;
    for (const file of [EVIDENCE.trials, EVIDENCE.scores]) {
      const rec = findTrain(
        readJsonl<EvidenceTrain>(file).filter((r) => r.type === 'train'),
        { architecture, budget, fidelity: 1, seed: config.seed },
      );
      if (rec) return { rec, file: path.relative(ROOT, file) };
    }
  }
  return undefined;
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
  const data = await loadData(space);
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
  const searchSeeds = (a['search-seeds'] ?? '0').split(',').map(Number);
  const nRandom = num('randoms', 4);
  const recs = () => readJsonl<SearchRecord | TrainRecord>(out);
  const inputShape: [number, number, number] = [space.inputSize, space.inputSize, space.inputChannels];

  for (const frac of (a.fracs ?? '0.5,0.7').split(',').map(Number)) {
    // 1. the searched networks, one per search seed (seed 0 keeps the directories of the single-seed bench)
    const searched: SearchRecord[] = [];
    for (const seed of searchSeeds) {
      let search = recs().find((r): r is SearchRecord => r.type === 'search' && r.frac === frac && (r.searchSeed ?? 0) === seed && !r.superseded);
      if (!search) {
        const tag = seed === 0 ? '' : `-s${seed}`;
        const seeded = { ...base, seed };
        await sharedWarmup({
          tf,
          space,
          config: parseSearchConfig({ ...seeded, runtimeLoss: { kind: 'log', lambda: 0 } }),
          table,
          train: data.search,
          dir: path.join(work, `warmup${tag}`),
        });
        const targetMs = frac * range.largestMs;
        const config = parseSearchConfig({ ...seeded, ...searchConfig, runtimeLoss: { kind: loss, lambda: num('lambda', 20), targetMs } });
        const dir = path.join(work, `search-${frac}${tag}`);
        seedFromWarmup(path.join(work, `warmup${tag}`), dir);
        const t0 = Date.now();
        const r = await runSearch({
          tf,
          space,
          config,
          table,
          train: trainBatches(space, data.search, config),
          checkpoints: new CheckpointStore(openStore(dir), 'checkpoints', { keep: 1 }),
        });
        const val = await evaluateTop1(tf, (x) => r.supernet.forward(x, { training: false }).logits, evalBatches(space, data.val), inputShape);
        r.supernet.dispose();
        search = {
          type: 'search',
          frac,
          ...(searchSeeds.length > 1 || seed !== 0 ? { searchSeed: seed } : {}),
          targetMs,
          architecture: architectureToString(r.architecture),
          predictedMs: predictArchitectureLatencyExact(table, r.architecture),
          supernetTop1: val.top1,
          searchImages: data.search.size,
          ...(a['search-config'] ? { searchConfig } : {}),
          seconds: (Date.now() - t0) / 1000,
        };
        appendJsonl(out, search);
        process.stdout.write(`search ${frac} seed ${seed}: ${search.architecture} ${search.predictedMs.toFixed(2)} ms (target ${targetMs.toFixed(2)})\n`);
      }
      searched.push(search);
    }
    // 2. random architectures within +-5% of the searched networks' predicted latency (their mean with several search seeds)
    const archs = [...new Set(searched.map((s) => s.architecture))];
    const refMs = searched.reduce((x, s) => x + s.predictedMs, 0) / searched.length;
    const randoms = randomsNear(space, table, refMs, nRandom, Math.round(frac * 100), archs);
    // 3. retrain everything with the same recipe and seeds, seed-major so partial results stay balanced
    const candidates = [
      ...archs.map((architecture) => ({
        kind: 'searched' as const,
        architecture,
        searchSeeds: searched.filter((s) => s.architecture === architecture).map((s) => s.searchSeed ?? 0),
      })),
      ...randoms.map((architecture) => ({ kind: 'random' as const, architecture })),
    ];
    for (const seed of seeds) {
      for (const c of candidates) {
        if (recs().some((r) => r.type === 'train' && r.frac === frac && r.architecture === c.architecture && r.seed === seed)) continue;
        const arch = architectureFromString(space, c.architecture);
        const config = trainConfigForRecipe(a.recipe ?? 'fast', { ...(a.train ? JSON.parse(a.train) : { epochs: 3 }), seed });
        const common = {
          type: 'train' as const,
          frac,
          kind: c.kind,
          ...('searchSeeds' in c && searchSeeds.length > 1 ? { searchSeeds: c.searchSeeds } : {}),
          architecture: c.architecture,
          predictedMs: predictArchitectureLatencyExact(table, arch),
          seed,
        };
        const reuse = evidenceRecord(c.architecture, config);
        if (reuse) {
          const e = reuse.rec;
          appendJsonl(out, {
            ...common,
            top1: e.top1,
            correct: e.correct,
            count: e.count,
            wallSeconds: e.wallSeconds,
            cpuSeconds: e.cpuSeconds,
            loadavg: e.loadavg,
            reused: reuse.file,
          } satisfies TrainRecord);
          process.stdout.write(`train ${frac} ${c.kind} seed ${seed}: ${(100 * e.top1).toFixed(2)}% ${c.architecture} (from ${reuse.file})\n`);
          continue;
        }
        const t0 = Date.now();
        const c0 = process.cpuUsage();
        const r = await trainChild({ tf, space, architecture: arch, config, train: trainBatches(space, data.train, config) });
        const val = await evaluateTop1(tf, (x) => r.model.predict(x) as ReturnType<typeof tf.zeros>, evalBatches(space, data.val), inputShape);
        r.model.dispose();
        const cpu = process.cpuUsage(c0);
        const rec: TrainRecord = {
          ...common,
          top1: val.top1,
          correct: val.correct,
          count: val.count,
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
