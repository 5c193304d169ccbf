/**
 * A retraining recipe on CIFAR-10: trains one architecture with a named recipe (src/config/recipes.ts)
 * on the first --limit images (--val of them held out), evaluating held-out top-1 after every epoch.
 * Records wall time and the process's CPU time (a load-independent measure of the work: on an idle
 * 2-core machine, wall time is about CPU time / 1.5 for this engine, see docs/engine.md). Appends one
 * JSON line per (tag, architecture, seed) to --out; runs already recorded are skipped.
 *
 *   node --import tsx bench/nas/recipe.ts --arch k5e6+se,skip,... --recipe fast [--config '{"epochs":5}'] \
 *     [--limit 50000 --val 5000] [--seeds 0,1,2] [--tag fast] [--out bench/nas/results/recipe.jsonl]
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { loadTf } from '../../src/backend/tf';
import { trainConfigForRecipe } from '../../src/config/recipes';
import { evaluateTop1 } from '../../src/nas/evaluate';
import { trainChild } from '../../src/nas/train-child';
import { architectureFromString, architectureToString } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';
import { appendJsonl, argMap, cifarSplits, evalBatches, readJsonl, ROOT, trainBatches } from './common';

const a = argMap(process.argv.slice(2));

async function main(): Promise<void> {
  const { tf, name: backend } = loadTf();
  if (backend !== 'tensorflow') throw new Error(`native backend required, got '${backend}'`);
  const space = getPreset(a.space ?? 'cifar-small');
  const arch = architectureFromString(space, a.arch!);
  const recipe = a.recipe ?? 'fast';
  const tag = a.tag ?? recipe;
  const out = path.resolve(ROOT, a.out ?? 'bench/nas/results/recipe.jsonl');
  const splits = await cifarSplits(space, Number(a.limit ?? 50000), Number(a.val ?? 5000));
  const done = readJsonl<{ tag: string; architecture: string; seed: number }>(out);
  for (const seed of (a.seeds ?? '0').split(',').map(Number)) {
    if (done.some((d) => d.tag === tag && d.architecture === architectureToString(arch) && d.seed === seed)) continue;
    const config = trainConfigForRecipe(recipe, { ...(a.config ? JSON.parse(a.config) : {}), seed });
    const t0 = Date.now();
    const c0 = process.cpuUsage();
    const epochs: Array<{ epoch: number; top1: number; wallSeconds: number; cpuSeconds: number; loadavg: number }> = [];
    const inputShape: [number, number, number] = [space.inputSize, space.inputSize, space.inputChannels];
    const r = await trainChild({
      tf,
      space,
      architecture: arch,
      config,
      train: trainBatches(space, splits.train, config),
      onProgress: (p) => {
        if (p.step % 50 === 0)
          process.stderr.write(
            `${tag} seed ${seed}: step ${p.step}/${p.totalSteps} loss ${Number(p.stats.loss).toFixed(3)} ${p.imagesPerSec.toFixed(0)} img/s\n`,
          );
      },
      onEpochEnd: async (e, model) => {
        const c = process.cpuUsage(c0);
        const wallSeconds = (Date.now() - t0) / 1000;
        const cpuSeconds = (c.user + c.system) / 1e6;
        const val = await evaluateTop1(tf, (x) => model.predict(x) as ReturnType<typeof tf.zeros>, evalBatches(space, splits.val), inputShape);
        epochs.push({ epoch: e, top1: val.top1, wallSeconds, cpuSeconds, loadavg: os.loadavg()[0]! });
        process.stderr.write(
          `${tag} seed ${seed}: epoch ${e} held-out top-1 ${(100 * val.top1).toFixed(2)}% after ${wallSeconds.toFixed(0)} s wall, ${cpuSeconds.toFixed(0)} s CPU\n`,
        );
      },
    });
    r.model.dispose();
    const last = epochs[epochs.length - 1]!;
    const rec = {
      tag,
      recipe,
      architecture: architectureToString(arch),
      seed,
      top1: last.top1,
      epochs,
      trainImages: splits.train.size,
      valImages: splits.val.size,
      config,
      finalLoss: r.finalLoss,
      cpus: os.cpus().length,
    };
    appendJsonl(out, rec);
    process.stdout.write(
      `${tag} ${rec.architecture} seed ${seed}: ${(100 * last.top1).toFixed(2)}% in ${last.wallSeconds.toFixed(0)} s wall / ${last.cpuSeconds.toFixed(0)} s CPU\n`,
    );
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
