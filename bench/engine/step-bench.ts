/**
 * What the step benches share: one batch to time steps on (real CIFAR images when readable, else a
 * seeded synthetic batch), the wall/CPU timer and kernel counter of one step, and the order
 * statistics they report.
 */
import * as fs from 'node:fs';
import type * as TF from '@tensorflow/tfjs';
import { BatchLoader } from '../../src/data/batch-loader';
import { loadImageDataset } from '../../src/data/dataset';
import type { StepBatch } from '../../src/nas/train-step';
import type { SearchSpace } from '../../src/space/spec';

export const median = (xs: number[]) => {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((p, r) => p - r);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
};

/** One batch of real data when the source is readable (normalised like training, no augmentation); else a seeded synthetic batch. */
export async function loadBatch(space: SearchSpace, batch: number, uri: string): Promise<StepBatch & { source: string }> {
  if (fs.existsSync(uri)) {
    try {
      const ds = await loadImageDataset(uri, { limit: batch, imageSize: [space.inputSize, space.inputSize] });
      if (ds.size === batch) {
        const loader = new BatchLoader(ds, {
          batchSize: batch,
          seed: 0,
          shuffle: false,
          mean: space.normalization.mean,
          std: space.normalization.std,
          dropLast: true,
        });
        for await (const b of loader.batches(0))
          return { images: b.images, labels: Int32Array.from(b.labels, (l) => l % space.numClasses), size: b.size, source: `${uri} (first ${batch} images)` };
      }
    } catch (e) {
      console.error(`[bench] could not read ${uri} (${(e as Error).message}); using synthetic data`);
    }
  }
  let s = 12345;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const images = new Float32Array(batch * space.inputSize * space.inputSize * space.inputChannels).map(() => (rnd() + rnd() + rnd() - 1.5) * 2);
  return { images, labels: Int32Array.from({ length: batch }, (_, i) => i % space.numClasses), size: batch, source: 'synthetic (seeded)' };
}

/** Wall and process-CPU milliseconds of one call of `f`. */
export async function timed(f: () => void | Promise<void>): Promise<{ wall: number; cpu: number }> {
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e3;
  };
  const c0 = cpuMs();
  const t0 = process.hrtime.bigint();
  await f();
  return { wall: Number(process.hrtime.bigint() - t0) / 1e6, cpu: cpuMs() - c0 };
}

/** Counts the kernels (native ops) one call of `f` dispatches. */
export async function kernelCount(tf: typeof TF, f: () => void | Promise<void>): Promise<number> {
  return (await tf.profile(async () => f())).kernels.length;
}
