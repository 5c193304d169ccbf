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
    // Decoding is synchronous: check for cancellation between samples.
    if ((++seen & 255) === 0) throwIfAborted(opts.signal, `loading ${String(uri)}`);
    const img = decodeSample(s, channels, size);
    size ??= [img.height, img.width];
    parts.push(img.data);
    labels.push(s.label);
    if (labels.length >= limit) break;
  }
  throwIfAborted(opts.signal, `loading ${String(uri)}`);
  if (labels.length === 0 || !size) throw new DataError(`no samples in ${String(uri)}`, { code: 'EMPTY_DATASET' });
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
