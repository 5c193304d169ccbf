/**
 * Batches for training: shuffled per epoch, augmented, normalised, as plain typed arrays (the engine
 * turns them into tensors). Batch (epoch, index) is a pure function of (seed, epoch, index), so a run
 * resumed from a checkpoint at (epoch, batch) sees exactly the batches of an uninterrupted run.
 */
import { InvalidInputError } from '../errors';
import { drawAugment, normalisationTable, writeSample, type AugmentParams } from './augment';
import type { ImageDataset } from './dataset';
import { permutation, rngFor } from '../random';
import { Purpose } from './purpose';

/** One batch. */
export interface Batch {
  /** size * height * width * channels floats, NHWC, normalised. */
  images: Float32Array;
  /** size class indices. */
  labels: Int32Array;
  /** Samples in this batch (batchSize, or fewer for the last one unless dropLast). */
  size: number;
  /** Batch index within the epoch. */
  index: number;
}

/** Options of a BatchLoader. */
export interface BatchLoaderOptions {
  batchSize: number;
  /** Seeds the epoch order and the augmentation. */
  seed: number;
  /** Permute the samples every epoch. Default true. */
  shuffle?: boolean;
  /** Training augmentation; omit for evaluation. */
  augment?: { padCrop?: number; flip?: boolean };
  /** Per-channel mean in 0..1 pixel units, e.g. CIFAR-10 [0.4914, 0.4822, 0.4465]. */
  mean: number[];
  /** Per-channel std in 0..1 pixel units, e.g. CIFAR-10 [0.2470, 0.2435, 0.2616]. */
  std: number[];
  /** Drop a last, incomplete batch. Default false. */
  dropLast?: boolean;
  /** Batches computed ahead of the consumer. Default 2. */
  prefetch?: number;
}

/** Turns an ImageDataset into reproducible epochs of normalised float batches. */
export class BatchLoader {
  /** Batches per epoch (depends on dropLast). */
  readonly batchesPerEpoch: number;
  private readonly lut: Float32Array;
  private readonly pad: number;
  private readonly flip: boolean;
  private readonly augment: boolean;
  private cachedEpoch = -1;
  private order: Int32Array | null = null;

  constructor(
    readonly ds: ImageDataset,
    readonly opts: BatchLoaderOptions,
  ) {
    const { batchSize } = opts;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidInputError(`batchSize=${batchSize}: must be a positive integer`);
    if (ds.size < 1) throw new InvalidInputError('BatchLoader: the dataset is empty');
    const c = ds.channels;
    const mean = opts.mean.length === 1 ? Array(c).fill(opts.mean[0]) : opts.mean;
    const std = opts.std.length === 1 ? Array(c).fill(opts.std[0]) : opts.std;
    // A 3-value mean/std on a 1-channel dataset (MNIST) uses the first value.
    if (mean.length < c || std.length < c)
      throw new InvalidInputError(`mean/std need ${c} values for a ${c}-channel dataset, got [${opts.mean}] / [${opts.std}]`);
    if (!std.slice(0, c).every((s) => s > 0)) throw new InvalidInputError(`std=[${opts.std}]: every value must be > 0`);
    this.lut = normalisationTable(c, mean, std);
    this.pad = opts.augment?.padCrop ?? 0;
    if (!Number.isInteger(this.pad) || this.pad < 0) throw new InvalidInputError(`augment.padCrop=${this.pad}: must be a non-negative integer`);
    this.flip = opts.augment?.flip ?? false;
    this.augment = this.pad > 0 || this.flip;
    this.batchesPerEpoch = opts.dropLast ? Math.floor(ds.size / batchSize) : Math.ceil(ds.size / batchSize);
    if (this.batchesPerEpoch === 0) throw new InvalidInputError(`batchSize=${batchSize} with dropLast leaves no batch from ${ds.size} samples`);
  }

  private epochOrder(epoch: number): Int32Array | null {
    if (this.opts.shuffle === false) return null;
    if (this.cachedEpoch !== epoch) {
      this.order = permutation(this.ds.size, rngFor(this.opts.seed, Purpose.epochOrder, epoch));
      this.cachedEpoch = epoch;
    }
    return this.order;
  }

  /**
   * Computes batch `index` of `epoch` synchronously.
   * @throws InvalidInputError when epoch or index is out of range.
   */
  batch(epoch: number, index: number): Batch {
    if (!Number.isInteger(epoch) || epoch < 0) throw new InvalidInputError(`epoch=${epoch}: must be a non-negative integer`);
    if (!Number.isInteger(index) || index < 0 || index >= this.batchesPerEpoch)
      throw new InvalidInputError(`batch index ${index}: must be in 0..${this.batchesPerEpoch - 1}`);
    const { ds } = this;
    const order = this.epochOrder(epoch);
    const start = index * this.opts.batchSize;
    const size = Math.min(this.opts.batchSize, ds.size - start);
    const per = ds.height * ds.width * ds.channels;
    const images = new Float32Array(size * per);
    const labels = new Int32Array(size);
    const rng = rngFor(this.opts.seed, Purpose.augment, epoch, index);
    const none: AugmentParams = { dy: this.pad, dx: this.pad, flip: false };
    for (let i = 0; i < size; i++) {
      const j = order ? order[start + i]! : start + i;
      labels[i] = ds.labels[j]!;
      const p = this.augment ? drawAugment(rng, this.pad, this.flip) : none;
      writeSample(ds.images, j * per, ds.height, ds.width, ds.channels, this.lut, this.pad, p, images, i * per);
    }
    return { images, labels, size, index };
  }

  /**
   * The batches of `epoch` from `startBatch` on, computed up to `prefetch` ahead of the consumer.
   * Each batch is produced in its own macrotask, so it overlaps with whatever the consumer awaits
   * (tensor uploads, async training steps, heartbeats).
   */
  async *batches(epoch: number, startBatch = 0): AsyncGenerator<Batch> {
    if (!Number.isInteger(startBatch) || startBatch < 0 || startBatch > this.batchesPerEpoch) {
      throw new InvalidInputError(`startBatch=${startBatch}: must be in 0..${this.batchesPerEpoch}`);
    }
    const depth = Math.max(1, this.opts.prefetch ?? 2);
    const queue: Promise<Batch>[] = [];
    let next = startBatch;
    const schedule = () => {
      while (queue.length < depth && next < this.batchesPerEpoch) {
        const i = next++;
        const p = new Promise<Batch>((resolve, reject) =>
          setImmediate(() => {
            try {
              resolve(this.batch(epoch, i));
            } catch (err) {
              reject(err as Error);
            }
          }),
        );
        p.catch(() => undefined); // observed when awaited; avoids an unhandled rejection if the consumer stops early
        queue.push(p);
      }
    };
    schedule();
    while (queue.length > 0) {
      const b = await queue.shift()!;
      schedule();
      yield b;
    }
  }
}
