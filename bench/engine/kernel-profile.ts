/**
 * Where a training step's time goes, per native kernel: runs the real search step (createSearchStep)
 * and the largest child's step (createChildStep) under tf.profile and aggregates kernelTimeMs and call
 * counts by kernel name (and, with --shapes, by kernel + input shapes).
 *
 *   node --import tsx bench/engine/kernel-profile.ts [--space cifar-small] [--batch 64] [--top 25] [--shapes]
 *        [--arch <child architecture, default the largest>] [--recipe fast] [--child-batch 128] [--no-search]
 *
 * kernelTimeMs on tfjs-node is wall time around each kernel's execution (binding included); the gap
 * between the sum and the step's wall time is JavaScript work between kernels (tape, tidy, dispatch).
 */
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { parseSearchConfig, parseTrainConfig } from '../../src/config/training-config';
import { trainConfigForRecipe } from '../../src/config/recipes';
import { Supernet } from '../../src/nas/supernet';
import { createChildTrainer } from '../../src/nas/train-child';
import { createSearchStep, searchOptimizer, type StepBatch } from '../../src/nas/train-step';
import { defaultTableFor } from '../../src/latency/default-tables';
import { architectureFromString, largestArchitecture } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';

const argv = process.argv.slice(2);
const opt = (k: string, d: string) => (argv.includes(k) ? argv[argv.indexOf(k) + 1]! : d);
const spaceName = opt('--space', 'cifar-small');
const B = Number(opt('--batch', '64'));
const top = Number(opt('--top', '25'));
const byShape = argv.includes('--shapes');
const recipe = argv.includes('--recipe') ? opt('--recipe', 'fast') : undefined;
const childB = Number(opt('--child-batch', recipe ? '128' : String(B)));

const { tf } = loadTf();
const space = getPreset(spaceName);
const batchOf = (n: number): StepBatch => ({
  images: (tf.randomNormal([n * space.inputSize * space.inputSize * space.inputChannels], 0, 1, 'float32', 1) as TF.Tensor1D).dataSync() as Float32Array,
  labels: Int32Array.from({ length: n }, (_, i) => i % space.numClasses),
  size: n,
});
const batch = batchOf(B);
const childBatch = childB === B ? batch : batchOf(childB);
const searchCfg = parseSearchConfig({ batchSize: B });
const trainCfg = recipe
  ? trainConfigForRecipe(recipe, { batchSize: childB, optimizer: { lrWarmupEpochs: 0 } })
  : parseTrainConfig({ batchSize: childB, optimizer: { lrWarmupEpochs: 0 } });

const net = new Supernet(tf, space, 0, searchCfg.indicatorNorm);
const searchStep = createSearchStep({
  tf,
  space,
  config: searchCfg,
  table: defaultTableFor(space),
  net,
  opt: searchOptimizer(tf, net, searchCfg),
  warmupSteps: 0,
});
const arch = argv.includes('--arch') ? architectureFromString(space, opt('--arch', '')) : largestArchitecture(space);
const childStep = createChildTrainer(tf, space, arch, trainCfg).step;

async function report(label: string, f: () => void): Promise<void> {
  f();
  f();
  const t0 = process.hrtime.bigint();
  const p = await tf.profile(f);
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const agg = new Map<string, { ms: number; n: number }>();
  let total = 0;
  for (const k of p.kernels) {
    const ms = await (k as unknown as { kernelTimeMs: number | Promise<number> }).kernelTimeMs;
    const key = byShape ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
    const e = agg.get(key) ?? { ms: 0, n: 0 };
    e.ms += ms;
    e.n++;
    agg.set(key, e);
    total += ms;
  }
  console.log(`\n## ${label}: ${p.kernels.length} kernels, kernel time ${total.toFixed(0)} ms, wall (profiled) ${wall.toFixed(0)} ms\n`);
  console.log('| kernel | ms | % | calls |\n|---|---|---|---|');
  for (const [n, e] of [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top))
    console.log(`| ${n.slice(0, 110)} | ${e.ms.toFixed(1)} | ${((100 * e.ms) / total).toFixed(1)} | ${e.n} |`);
}

let s = 0;
void (async () => {
  if (!argv.includes('--no-search')) await report(`search step (${space.name}, batch ${B})`, () => void searchStep(batch, s++, 0));
  await report(`child step (${space.name}, ${recipe ?? 'default'} recipe, batch ${childB})`, () => void childStep(childBatch, s++, 0));
})();
