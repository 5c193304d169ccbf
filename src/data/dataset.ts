/**
 * In-memory image datasets: what the NAS engine trains on. CIFAR-sized data (50k x 32x32x3 =
 * 150 MB as uint8) fits in memory, which lets batches be addressed by (epoch, index) for exact resume.
 */
import { DataError, InvalidInputError } from '../errors';
import { throwIfAborted } from '../storage';
import { decodeImage, resizeBilinear, type RawImage } from './decode';
import { permutation, rngFor } from '../random';
import { Purpose } from './purpose';
import { openSampleSource, type OpenSourceOptions, type RawSample } from './source';

/** Decoded images and labels, NHWC uint8. */
export interface ImageDataset {
  /** size * height * width * channels bytes, sample-major (NHWC), pixel values 0..255. */
  images: Uint8Array;
  /** size class indices in 0..numClasses-1. */
  labels: Int32Array;
  size: number;
  height: number;
  width: number;
  channels: number;
  numClasses: number;
  /** Class names by index, when the source declares them (ImageFolder, classes.txt). */
  classNames?: string[];
}

/** Options of {@link loadImageDataset}. */
export interface LoadOptions extends Omit<OpenSourceOptions, 'signal'> {
  /** Read at most this many samples (in source order). Default: all. */
  limit?: number;
  /**
   * Decode only the samples whose source index (0-based, in source order, below `limit`) passes; the
   * others are read but not decoded (reading is ~5x faster than decoding). Default: every sample.
   */
  include?: (index: number) => boolean;
  /** Receives the number of source samples read (decoded or not). */
  sourceCount?: { value: number };
  /** [height, width] to resize to (bilinear). Default: the first image's size. */
  imageSize?: [number, number];
  signal?: AbortSignal;
}

/** Decodes one raw sample to the target channels and size. */
export function decodeSample(s: RawSample, channels: 1 | 3, size?: [number, number]): RawImage {
  const img = s.pixels ?? decodeImage(s.encoded!, s.where, channels);
  return size ? resizeBilinear(img, size[0], size[1]) : img;
}

/**
 * Loads (a bounded number of) samples from any supported URI into memory, decoding and resizing.
 * See openSampleSource for the accepted URIs (tar shards, ImageFolder, IDX; local or s3://).
 * @throws DataError naming the shard/object and sample for corrupt images, missing or out-of-range
 *   labels and truncated archives; InvalidInputError for bad options; CancelledError on abort.
 */
export async function loadImageDataset(uri: string | string[], opts: LoadOptions = {}): Promise<ImageDataset> {
  const limit = opts.limit ?? Infinity;
  if (!(limit > 0)) throw new InvalidInputError(`limit=${opts.limit}: must be a positive integer`);
  if (opts.imageSize && !opts.imageSize.every((d) => Number.isInteger(d) && d > 0))
    throw new InvalidInputError(`imageSize=[${opts.imageSize}]: must be two positive integers`);
  const source = await openSampleSource(uri, opts);
  const channels = source.channels;
  let size = opts.imageSize;
  const parts: Uint8Array[] = [];
  const labels: number[] = [];
  let seen = 0;
  for await (const s of source.samples({ signal: opts.signal })) {
    const index = seen++;
    // Decoding is synchronous: check for cancellation between samples.
    if ((seen & 255) === 0) throwIfAborted(opts.signal, `loading ${String(uri)}`);
    if (!opts.include || opts.include(index)) {
      const img = decodeSample(s, channels, size);
      size ??= [img.height, img.width];
      parts.push(img.data);
      labels.push(s.label);
    }
    if (seen >= limit) break;
  }
  throwIfAborted(opts.signal, `loading ${String(uri)}`);
  if (labels.length === 0 || !size) throw new DataError(`no samples in ${String(uri)}`, { code: 'EMPTY_DATASET' });
  if (opts.sourceCount) opts.sourceCount.value = seen;
  const maxLabel = labels.reduce((a, b) => Math.max(a, b), 0);
  const numClasses = source.numClasses ?? maxLabel + 1;
  return {
    images: new Uint8Array(Buffer.concat(parts)),
    labels: Int32Array.from(labels),
    size: labels.length,
    height: size[0],
    width: size[1],
    channels,
    numClasses,
    ...(source.classNames ? { classNames: source.classNames } : {}),
  };
}

/** Copies the samples at `indices` into a new dataset. */
export function subsetDataset(ds: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  const per = ds.height * ds.width * ds.channels;
  const images = new Uint8Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    images.set(ds.images.subarray(j * per, (j + 1) * per), i * per);
    labels[i] = ds.labels[j]!;
  }
  return { ...ds, images, labels, size: indices.length };
}

/**
 * Deterministic train/validation split: a seeded permutation of the samples, the first `valCount`
 * (or round(valFraction * size)) become validation. Same dataset + seed -> same split, on any machine.
 * @throws InvalidInputError when the validation size is not in 1..size-1.
 */
export function splitDataset(ds: ImageDataset, opts: { valCount?: number; valFraction?: number; seed: number }): { train: ImageDataset; val: ImageDataset } {
  const valCount = opts.valCount ?? Math.round((opts.valFraction ?? NaN) * ds.size);
  if (!Number.isInteger(valCount) || valCount < 1 || valCount >= ds.size) {
    throw new InvalidInputError(
      `split: validation size ${opts.valCount ?? `${opts.valFraction} * ${ds.size}`} must be an integer in 1..${ds.size - 1} (set valCount or valFraction)`,
    );
  }
  const perm = permutation(ds.size, rngFor(opts.seed, Purpose.split));
  // Sorted within each part: the split decides membership, the loader decides order.
  const val = Int32Array.from(perm.subarray(0, valCount)).sort();
  const train = Int32Array.from(perm.subarray(valCount)).sort();
  return { train: subsetDataset(ds, train), val: subsetDataset(ds, val) };
}

/** Positions of a seeded permutation of a source's first `total` samples (the planned data form, src/config/data-spec.ts). */
export interface PermutationRanges {
  total: number;
  seed: number;
  /** [from, to) positions of the training samples. */
  train: readonly [number, number];
  /** [from, to) positions of the held-out samples. */
  val: readonly [number, number];
}

/** The source indices (ascending) at the train and val positions of the permutation. */
export function permutationSplitIndices(r: PermutationRanges): { train: Int32Array; val: Int32Array } {
  const perm = permutation(r.total, rngFor(r.seed, Purpose.split));
  return { train: Int32Array.from(perm.subarray(r.train[0], r.train[1])).sort(), val: Int32Array.from(perm.subarray(r.val[0], r.val[1])).sort() };
}

/**
 * Loads only the samples of a planned split: every source sample below `total` is read, only the
 * training and held-out ones are decoded.
 * @throws InvalidInputError when the source has fewer than `total` samples.
 */
export async function loadPermutationSplits(
  uri: string | string[],
  r: PermutationRanges,
  opts: Omit<LoadOptions, 'limit' | 'include' | 'sourceCount'> = {},
): Promise<{ train: ImageDataset; val: ImageDataset }> {
  const idx = permutationSplitIndices(r);
  const wanted = new Uint8Array(r.total);
  for (const i of idx.train) wanted[i] = 1;
  for (const i of idx.val) wanted[i] = 1;
  const read = { value: 0 };
  const ds = await loadImageDataset(uri, { ...opts, limit: r.total, include: (i) => wanted[i] === 1, sourceCount: read });
  if (read.value < r.total)
    throw new InvalidInputError(
      `data ${String(uri)}: the data plan covers the first ${r.total} images but the source has ${read.value}; plan for at most ${read.value} images`,
    );
  // Decoded samples are the wanted ones in source order: row = rank among the wanted indices.
  const rowOf = new Int32Array(r.total).fill(-1);
  for (let i = 0, row = 0; i < r.total; i++) if (wanted[i]) rowOf[i] = row++;
  const rows = (ix: Int32Array) => Int32Array.from(ix, (i) => rowOf[i]!);
  return { train: subsetDataset(ds, rows(idx.train)), val: subsetDataset(ds, rows(idx.val)) };
}
