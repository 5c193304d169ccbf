/**
 * A deterministic in-memory BatchSource for engine tests: class-dependent colour blobs, so a small
 * network can learn it in a few steps and the batches depend only on (seed, epoch, index).
 */
import type { Batch, BatchSource } from '../../src/nas/batch-source';
import { mulberry32, stepSeed } from '../../src/random';

export class SyntheticBatches implements BatchSource {
  constructor(
    readonly batchesPerEpoch: number,
    private readonly batchSize: number,
    private readonly size: number,
    private readonly classes: number,
    private readonly seed = 0,
  ) {}

  batch(epoch: number, index: number): Batch {
    const rnd = mulberry32(stepSeed(this.seed, epoch * 100_000 + index, 9));
    const n = this.batchSize;
    const s = this.size;
    const images = new Float32Array(n * s * s * 3);
    const labels = new Int32Array(n);
    for (let b = 0; b < n; b++) {
      const c = Math.floor(rnd() * this.classes);
      labels[b] = c;
      for (let p = 0; p < s * s; p++) {
        for (let ch = 0; ch < 3; ch++) images[(b * s * s + p) * 3 + ch] = rnd() - 0.5 + (ch === c % 3 ? (c / this.classes) * 2 - 1 : 0);
      }
    }
    return { images, labels, size: n, index };
  }

  async *batches(epoch: number, startBatch = 0): AsyncIterable<Batch> {
    for (let i = startBatch; i < this.batchesPerEpoch; i++) yield this.batch(epoch, i);
  }
}
