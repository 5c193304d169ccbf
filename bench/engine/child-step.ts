/**
 * Retraining cost of derived networks, side by side: the median time of one training step
 * (createChildTrainer: the step `spnas train` and the study's retrain activity run) for each
 * architecture, in ONE process with interleaved rounds, with forward multiply-adds, native kernels
 * per step and the ratio to the first architecture (median of per-round ratios).
 *
 * The default set answers why the quick start's final model (k5e6+se first) took twice the recipe
 * bench's network (k5e3 first, no SE) per epoch: it adds the differences one at a time (the first
 * layer's expansion 3 -> 6, SE on the first layer, SE on the other three kept layers).
 *
 *   node --import tsx bench/engine/child-step.ts [--space cifar-small] [--recipe fast] [--batch 128]
 *        [--rounds 8] [--warmup 2] [--archs name=arch;name=arch;...] [--out bench/engine/results-child-step.json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { loadTf } from '../../src/backend/tf';
import { trainConfigForRecipe } from '../../src/config/recipes';
import { createChildTrainer } from '../../src/nas/train-child';
import { architectureFromString } from '../../src/space/architecture';
import { architectureMacs } from '../../src/space/flops';
import { getPreset } from '../../src/space/presets';
import { argMap, CIFAR } from '../nas/common';
import { kernelCount, loadBatch, median, timed } from './step-bench';

const DEFAULT_ARCHS = [
  'recipe-bench=k5e3,skip,k5e6,skip,k5e6,skip,k5e6,skip,k5e6,skip',
  'first-e6=k5e6,skip,k5e6,skip,k5e6,skip,k5e6,skip,k5e6,skip',
  'first-e6-se=k5e6+se,skip,k5e6,skip,k5e6,skip,k5e6,skip,k5e6,skip',
  'quickstart-final=k5e6+se,skip,k5e6+se,skip,k5e6,skip,k5e6+se,skip,k5e6+se,skip',
].join(';');

async function main(): Promise<void> {
  const a = argMap(process.argv.slice(2));
  const space = getPreset(a.space ?? 'cifar-small');
  const recipe = a.recipe ?? 'fast';
  const rounds = Number(a.rounds ?? 8);
  const warmup = Number(a.warmup ?? 2);
  const out = a.out ?? 'bench/engine/results-child-step.json';
  const cfg = trainConfigForRecipe(recipe, { ...(a.batch ? { batchSize: Number(a.batch) } : {}), seed: 0 }, '--recipe/--batch');
  const B = cfg.batchSize;
  if (!(rounds > 0 && warmup >= 0)) throw new Error('--rounds must be positive and --warmup >= 0');
  // parse the networks before loading anything: a typo fails in milliseconds
  const entries = (a.archs ?? DEFAULT_ARCHS).split(';').map((e) => {
    const i = e.indexOf('=');
    if (i < 0) throw new Error(`--archs: '${e}' is not name=architecture`);
    const archString = e.slice(i + 1);
    return { name: e.slice(0, i), archString, arch: architectureFromString(space, archString) };
  });
  const { tf } = loadTf();
  const batch = await loadBatch(space, B, a.data ?? CIFAR);
  const variants = entries.map(({ name, archString, arch }) => {
    const { step, opt } = createChildTrainer(tf, space, arch, cfg);
    let s = 0;
    return {
      name,
      archString,
      macs: architectureMacs(space, arch).total,
      run: () => void step(batch, s++, 1),
      opt,
      times: [] as number[],
      cpu: [] as number[],
    };
  });
  const load0 = os.loadavg();
  for (let r = 0; r < warmup + rounds; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length]!);
    for (const v of order) {
      const t = await timed(v.run);
      if (r >= warmup) {
        v.times.push(t.wall);
        v.cpu.push(t.cpu);
      }
    }
    console.error(
      `[bench] round ${r + 1}/${warmup + rounds}${r < warmup ? ' (warm-up)' : ''}: ${order.map((v) => `${v.name} ${(v.times.at(-1) ?? NaN).toFixed(0)}`).join(', ')}`,
    );
  }
  const base = variants[0]!;
  const rows = [];
  for (const v of variants) {
    const ms = median(v.times);
    rows.push({
      name: v.name,
      architecture: v.archString,
      forwardMacsPerImage: v.macs,
      medianMs: ms,
      medianCpuMs: median(v.cpu),
      imagesPerSec: (B * 1e3) / ms,
      kernelsPerStep: await kernelCount(tf, v.run),
      msPerStepVsFirst: median(v.times.map((t, i) => t / base.times[i]!)),
      macsVsFirst: v.macs / base.macs,
      trainGflops: (6 * v.macs * B) / (ms / 1e3) / 1e9,
    });
    v.opt.dispose();
  }
  const result = {
    date: new Date().toISOString(),
    command: `node --import tsx bench/engine/child-step.ts --space ${space.name} --recipe ${recipe} --batch ${B} --rounds ${rounds} --warmup ${warmup}`,
    data: batch.source,
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
      tfjs: tf.version.tfjs,
      backend: tf.getBackend(),
      loadAvgBefore: load0,
      loadAvgAfter: os.loadavg(),
    },
    rows,
  };
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `${'network'.padEnd(24)} ${'MMAC'.padStart(6)} ${'ms/step'.padStart(8)} ${'img/s'.padStart(6)} ${'kernels'.padStart(7)} ${'time x'.padStart(7)} ${'MAC x'.padStart(6)}`,
  );
  for (const r of rows)
    console.log(
      `${r.name.padEnd(24)} ${(r.forwardMacsPerImage / 1e6).toFixed(1).padStart(6)} ${r.medianMs.toFixed(0).padStart(8)} ${r.imagesPerSec.toFixed(0).padStart(6)} ${String(r.kernelsPerStep).padStart(7)} ${r.msPerStepVsFirst.toFixed(2).padStart(7)} ${r.macsVsFirst.toFixed(2).padStart(6)}`,
    );
  console.log(`wrote ${out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
