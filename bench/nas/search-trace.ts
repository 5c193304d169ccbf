/**
 * One search with its full trace: every step's thresholds, the (relative) group norms they are
 * compared with, the indicators, R and the losses, as JSONL (one line per step, then a summary line).
 * The evidence behind docs/engine.md "Search dynamics"; plot with bench/nas/plot-trace.ts.
 *
 *   node --import tsx bench/nas/search-trace.ts --name baseline --space cifar-small --table shipped \
 *     --limit 6000 --val 1000 --epochs 4 --warmup 2 --batch 64 --loss mnas --lambda 5 --target-frac 0.7 \
 *     [--config '{"thresholdOptimizer":"..."}'] [--out bench/nas/results/traces]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import { parseSearchConfig } from '../../src/config/training-config';
import { evaluateTop1 } from '../../src/nas/evaluate';
import { runSearch } from '../../src/nas/search';
import { architectureToString } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';
import { latencyRange } from '../../src/latency/latency-range';
import { predictArchitectureLatencyExact } from '../../src/latency/runtime-model';
import { argMap, cifarSplits, evalBatches, ROOT, tableByName, trainBatches } from './common';

const a = argMap(process.argv.slice(2));
const num = (k: string, d: number) => (a[k] !== undefined ? Number(a[k]) : d);

async function main(): Promise<void> {
  const { tf, name: backend } = loadTf();
  if (backend !== 'tensorflow') throw new Error(`native backend required, got '${backend}'`);
  const space = getPreset(a.space ?? 'cifar-small');
  const table = tableByName(space, a.table ?? 'shipped');
  const range = latencyRange(space, table);
  const loss = (a.loss ?? 'mnas') as 'log' | 'mnas' | 'hinge';
  const targetMs = loss === 'log' ? undefined : num('target-frac', 0.7) * range.largestMs;
  const extra = a.config ? (JSON.parse(a.config) as Record<string, unknown>) : {};
  const config = parseSearchConfig({
    epochs: num('epochs', 4),
    warmupEpochs: num('warmup', 2),
    batchSize: num('batch', 64),
    seed: num('seed', 0),
    ...extra,
    runtimeLoss: { kind: loss, lambda: num('lambda', 5), ...(targetMs ? { targetMs } : {}), ...((extra.runtimeLoss as object) ?? {}) },
  });
  const splits = await cifarSplits(space, num('limit', 6000), num('val', 1000));
  const outDir = path.resolve(ROOT, a.out ?? 'bench/nas/results/traces');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${a.name ?? 'trace'}.jsonl`);
  const fd = fs.openSync(file, 'w');
  const t0 = Date.now();
  const r = await runSearch({
    tf,
    space,
    config,
    table,
    train: trainBatches(space, splits.train, config),
    onTrace: (t) => fs.writeSync(fd, JSON.stringify({ type: 'step', ...t }) + '\n'),
    onProgress: (p) => {
      if (p.step % 20 === 0) process.stderr.write(`${a.name}: step ${p.step}/${p.totalSteps} R ${Number(p.stats.runtimeMs).toFixed(2)} ${p.architecture}\n`);
    },
  });
  const val = await evaluateTop1(tf, (x) => r.supernet.forward(x, { training: false }).logits, evalBatches(space, splits.val), [
    space.inputSize,
    space.inputSize,
    space.inputChannels,
  ]);
  r.supernet.dispose();
  const summary = {
    type: 'summary',
    name: a.name,
    space: space.name,
    table: a.table ?? 'shipped',
    config,
    largestMs: range.largestMs,
    smallestMs: range.smallestMs,
    targetMs,
    architecture: architectureToString(r.architecture),
    predictedMs: predictArchitectureLatencyExact(table, r.architecture),
    supernetTop1: val.top1,
    seconds: (Date.now() - t0) / 1000,
    loadavg: os.loadavg()[0],
  };
  fs.writeSync(fd, JSON.stringify(summary) + '\n');
  fs.closeSync(fd);
  process.stdout.write(JSON.stringify(summary) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
