import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf } from '../../src/backend/tf';
import { getPreset } from '../../src/space/presets';
import { parseSearchConfig, type SearchConfigInput } from '../../src/config/training-config';
import { flipsPerUpdate } from '../../src/nas/flip-limit';
import { runSearch, type SearchTraceRecord } from '../../src/nas/search';
import { loadImageDataset, splitDataset, type ImageDataset } from '../../src/data/dataset';
import { BatchLoader } from '../../src/data/batch-loader';
import { architectureToString } from '../../src/space/architecture';
import { defaultTableFor } from '../../src/latency/default-tables';
import { latencyRange } from '../../src/latency/latency-range';
import { predictArchitectureLatencyExact } from '../../src/latency/runtime-model';
import type { LatencyTable } from '../../src/latency/latency-table';
import { CIFAR_DIR } from '../data/fixtures';

// Small real runs (cifar-tiny, a few hundred CIFAR-10 images): the search's latency control, not its accuracy.
const { tf } = loadTf();
const space = getPreset('cifar-tiny');
let train: ImageDataset | undefined;

async function search(table: LatencyTable, cfg: SearchConfigInput, onTrace?: (t: SearchTraceRecord) => void) {
  train ??= splitDataset(await loadImageDataset(`${CIFAR_DIR}/train-000000.tar`, { limit: 544, imageSize: [32, 32] }), { valCount: 32, seed: 0 }).train;
  const config = parseSearchConfig({ seed: 0, epochs: 5, warmupEpochs: 2, batchSize: 32, ...cfg });
  const loader = new BatchLoader(train, {
    batchSize: 32,
    seed: 0,
    shuffle: true,
    augment: { padCrop: 4, flip: true },
    mean: space.normalization.mean,
    std: space.normalization.std,
    dropLast: true,
  });
  const r = await runSearch({ tf, space, config, table, train: loader, ...(onTrace ? { onTrace } : {}) });
  r.supernet.dispose();
  return { arch: architectureToString(r.architecture), ms: predictArchitectureLatencyExact(table, r.architecture) };
}

test('synthetic table where only layer 3 kernel size costs latency: the search switches exactly that kernel to 3x3', async () => {
  // every op costs 0.01 ms except a 5x5 kernel in layer 3 (5 ms); SE 0.001 ms. The target (half the
  // largest network) is reachable only by that kernel, and nothing else has a reason to change.
  const cheap = { k3e3: 0.01, k3e6: 0.01, k5e3: 0.01, k5e6: 0.01, se: { e3: 0.001, e6: 0.001 } };
  const table: LatencyTable = {
    space: space.name,
    device: 'synthetic',
    unit: 'ms',
    fixedMs: 1,
    layers: [cheap, cheap, { ...cheap, k5e3: 5, k5e6: 5 }, cheap, cheap],
  };
  const targetMs = 0.5 * latencyRange(space, table).largestMs;
  for (const kind of ['hinge', 'mnas'] as const) {
    const r = await search(table, { runtimeLoss: { kind, lambda: 20, targetMs } });
    assert.equal(r.arch, 'k5e6+se,k5e6+se,k3e6+se,k5e6+se,k5e6+se', `${kind}: ${JSON.stringify(r)}`);
  }
});

test('log loss: four increasing lambdas give strictly decreasing predicted latency', async () => {
  const table = defaultTableFor(space);
  const results = [];
  for (const lambda of [5, 10, 20, 50]) results.push({ lambda, ...(await search(table, { runtimeLoss: { kind: 'log', lambda } })) });
  for (let i = 1; i < results.length; i++) assert.ok(results[i]!.ms < results[i - 1]!.ms, `not strictly decreasing: ${JSON.stringify(results)}`);
});

test('maxFlipsPerStep 1: no threshold update flips more than one decision (without it, updates flip several at once)', async () => {
  const table = defaultTableFor(space);
  const targetMs = 0.5 * latencyRange(space, table).largestMs;
  /** The most decisions one update flipped: norm vs threshold before and after it, with that step's norms. */
  const maxFlips = async (cfg: SearchConfigInput) => {
    const steps: SearchTraceRecord[] = [];
    const r = await search(table, cfg, (t) => steps.push(t));
    const most = Math.max(...flipsPerUpdate(steps));
    return { most, ...r };
  };
  const free = await maxFlips({ runtimeLoss: { kind: 'mnas', lambda: 20, targetMs }, maxFlipsPerStep: 0 });
  const limited = await maxFlips({ runtimeLoss: { kind: 'mnas', lambda: 20, targetMs }, maxFlipsPerStep: 1 });
  assert.ok(free.most > 1, `without a limit one update flipped at most ${free.most} decisions: the case does not exercise the limit`);
  assert.equal(limited.most, 1, JSON.stringify(limited));
  assert.ok(Math.abs(limited.ms / targetMs - 1) <= 0.1, `predicted ${limited.ms.toFixed(2)} ms for a target of ${targetMs.toFixed(2)} ms (${limited.arch})`);
});

test("maxFlipsPerStep needs plain-SGD thresholds; its default is 1 with 'sgd' and 0 with 'rmsprop'", () => {
  assert.throws(() => parseSearchConfig({ thresholdUpdate: 'rmsprop', maxFlipsPerStep: 1 }), /maxFlipsPerStep needs thresholdUpdate 'sgd'/);
  assert.equal(parseSearchConfig({}).maxFlipsPerStep, 1);
  assert.equal(parseSearchConfig({ thresholdUpdate: 'rmsprop' }).maxFlipsPerStep, 0);
  // parsing a parsed config changes nothing (activities parse what the workflow parsed)
  const once = parseSearchConfig({ thresholdUpdate: 'rmsprop' });
  assert.deepEqual(parseSearchConfig(once), once);
});

test("the defaults (maxFlipsPerStep 1, runtimeGradient 'flip-to-target'): mnas and hinge land within +-10% of targets at 50%, 70% and 90% (shipped table)", async () => {
  const table = defaultTableFor(space);
  const largest = latencyRange(space, table).largestMs;
  const misses: string[] = [];
  for (const kind of ['mnas', 'hinge'] as const) {
    for (const frac of [0.5, 0.7, 0.9]) {
      const targetMs = frac * largest;
      const r = await search(table, { runtimeLoss: { kind, lambda: 20, targetMs } });
      if (Math.abs(r.ms / targetMs - 1) > 0.1) misses.push(`${kind} ${frac}: ${r.ms.toFixed(2)} ms for ${targetMs.toFixed(2)} (${r.arch})`);
    }
  }
  assert.deepEqual(misses, []);
});
