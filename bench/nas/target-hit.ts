/**
 * Does the search land on its latency target? For one space and table: one shared warm-up, then one
 * search per (runtime loss, target fraction of the largest network), each continued from the warm-up.
 * Appends one JSON line per search to --out (resumable: searches already recorded are skipped) and
 * writes each search's trace beside it (also gzipped, the form checked in) for bench/nas/plot-trace.ts.
 *
 *   node --import tsx bench/nas/target-hit.ts --space cifar-small --table shipped --limit 3000 --val 500 \
 *     --batch 32 --epochs 3 --warmup 1.5 --lambda 5 --losses mnas,hinge --fracs 0.5,0.7,0.9 \
 *     [--config '{"thresholdUpdate":"rmsprop"}'] [--tag new] [--out bench/nas/results/target-hit.jsonl] [--warmup-only]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { loadTf } from '../../src/backend/tf';
import { parseSearchConfig } from '../../src/config/training-config';
import { evaluateTop1 } from '../../src/nas/evaluate';
import { runSearch } from '../../src/nas/search';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { openStore } from '../../src/storage/open-store';
import { architectureToString } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';
import { latencyRange } from '../../src/latency/latency-range';
import { predictArchitectureLatencyExact } from '../../src/latency/runtime-model';
import { appendJsonl, argMap, cifarSplits, evalBatches, readJsonl, ROOT, seedFromWarmup, sharedWarmup, tableByName, trainBatches } from './common';

const a = argMap(process.argv.slice(2));
const num = (k: string, d: number) => (a[k] !== undefined ? Number(a[k]) : d);

async function main(): Promise<void> {
  const { tf, name: backend } = loadTf();
  if (backend !== 'tensorflow') throw new Error(`native backend required, got '${backend}'`);
  const space = getPreset(a.space ?? 'cifar-small');
  const tableName = a.table ?? 'shipped';
  const table = tableByName(space, tableName);
  const range = latencyRange(space, table);
  const tag = a.tag ?? 'default';
  const seed = num('seed', 0);
  const out = path.resolve(ROOT, a.out ?? 'bench/nas/results/target-hit.jsonl');
  // the warm-up does not depend on the table (lambda is 0), so tables share it
  const work = path.resolve(a.work ?? path.join(os.tmpdir(), 'spnas-target-hit'), `${tag}-${space.name}-s${seed}`);
  const extra = a.config ? (JSON.parse(a.config) as Record<string, unknown>) : {};
  const base = {
    epochs: num('epochs', 3),
    warmupEpochs: num('warmup', 1.5),
    batchSize: num('batch', 32),
    seed,
    checkpointEvery: 100000,
    keepCheckpoints: 1,
    ...extra,
  };
  const splits = await cifarSplits(space, num('limit', 3000), num('val', 500));
  const warmCfg = parseSearchConfig({ ...base, runtimeLoss: { kind: 'log', lambda: 0 } });
  const warmSteps = await sharedWarmup({ tf, space, config: warmCfg, table, train: splits.train, dir: path.join(work, 'warmup') });
  if (a['warmup-only']) return;
  const done = readJsonl<{ tag: string; space: string; table: string; loss: string; frac: number; seed: number }>(out);
  for (const loss of (a.losses ?? 'mnas,hinge').split(',') as Array<'log' | 'mnas' | 'hinge'>) {
    for (const frac of (a.fracs ?? '0.5,0.7,0.9').split(',').map(Number)) {
      if (done.some((d) => d.tag === tag && d.space === space.name && d.table === tableName && d.loss === loss && d.frac === frac && d.seed === seed)) continue;
      const targetMs = frac * range.largestMs;
      const config = parseSearchConfig({ ...base, runtimeLoss: { kind: loss, lambda: num('lambda', 5), ...(loss === 'log' ? {} : { targetMs }) } });
      const dir = path.join(work, `${tableName.replace(/[^a-z0-9-]/gi, '_')}-${loss}-${frac}`);
      seedFromWarmup(path.join(work, 'warmup'), dir);
      const traceFile = `${out.replace(/\.jsonl$/, '')}-traces/${tag}-${space.name}-${tableName}-${loss}-${frac}-s${seed}.jsonl`;
      fs.mkdirSync(path.dirname(traceFile), { recursive: true });
      const fd = fs.openSync(traceFile, 'w');
      const t0 = Date.now();
      const r = await runSearch({
        tf,
        space,
        config,
        table,
        train: trainBatches(space, splits.train, config),
        checkpoints: new CheckpointStore(openStore(dir), 'checkpoints', { keep: 1 }),
        onTrace: (t) => fs.writeSync(fd, JSON.stringify({ type: 'step', ...t }) + '\n'),
      });
      if (r.resumedFromStep !== warmSteps) throw new Error(`expected to resume at ${warmSteps}, resumed at ${r.resumedFromStep}`);
      const val = await evaluateTop1(tf, (x) => r.supernet.forward(x, { training: false }).logits, evalBatches(space, splits.val), [
        space.inputSize,
        space.inputSize,
        space.inputChannels,
      ]);
      r.supernet.dispose();
      const predictedMs = predictArchitectureLatencyExact(table, r.architecture);
      const rec = {
        tag,
        space: space.name,
        table: tableName,
        loss,
        frac,
        seed,
        lambda: config.runtimeLoss.lambda,
        targetMs,
        largestMs: range.largestMs,
        predictedMs,
        ratio: predictedMs / targetMs,
        architecture: architectureToString(r.architecture),
        supernetTop1: val.top1,
        steps: r.steps,
        warmupSteps: warmSteps,
        images: splits.train.size,
        seconds: (Date.now() - t0) / 1000,
        loadavg: os.loadavg()[0],
        config: extra,
      };
      fs.writeSync(
        fd,
        JSON.stringify({
          type: 'summary',
          name: `${tag} ${loss} ${frac}`,
          targetMs,
          largestMs: range.largestMs,
          architecture: rec.architecture,
          predictedMs,
          config,
        }) + '\n',
      );
      fs.closeSync(fd);
      // checked in gzipped (~3x smaller); readJsonl and plot-trace read either
      fs.writeFileSync(`${traceFile}.gz`, zlib.gzipSync(fs.readFileSync(traceFile)));
      appendJsonl(out, rec);
      process.stdout.write(
        `${tag} ${space.name}/${tableName} ${loss} ${frac}: target ${targetMs.toFixed(2)} predicted ${predictedMs.toFixed(2)} (${(100 * (rec.ratio - 1)).toFixed(1)}%) ${rec.architecture}\n`,
      );
    }
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
