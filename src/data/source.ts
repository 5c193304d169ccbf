/**
 * One entry point for every dataset layout: `openSampleSource(uri)` inspects the URI and returns a
 * source of raw samples (encoded image bytes or pixels, plus a label) that the dataset loader, the
 * CLI and the benchmarks share.
 */
import { DataError } from '../errors';
import { openStore, splitParent, type OpenStoreOptions } from '../storage';
import { imageFolderSamples, indexImageFolder } from './image-folder';
import { permutation, rngFor } from '../random';
import { Purpose } from './purpose';
import { readIdx } from './idx';
import { isExplicitShardSpec, resolveShards, type ShardRef } from './shards';
import { webDatasetSamples } from './webdataset';
import type { RawSample, ShuffleOptions } from './sample';

export type { RawSample, ShuffleOptions } from './sample';

/** A dataset at a URI, before decoding. */
export interface SampleSource {
  format: 'webdataset' | 'imagefolder' | 'idx';
  /** Declared class count (classes.txt, class folders), or undefined when only labels tell. */
  numClasses?: number;
  classNames?: string[];
  /** 1 for IDX (grayscale), 3 for JPEG/PNG sources (decoded to RGB). */
  channels: 1 | 3;
  /** Streams the samples; with `shuffle`, in a seeded per-epoch order. */
  samples(opts?: { signal?: AbortSignal; shuffle?: ShuffleOptions }): AsyncIterable<RawSample>;
}

/** Options for opening a source. */
export interface OpenSourceOptions {
  signal?: AbortSignal;
  /** Declares the class count; labels >= numClasses are errors. Overrides classes.txt. */
  numClasses?: number;
  /** Store options (retries, multipart), not endpoints: those come from the environment. */
  store?: OpenStoreOptions;
}

const IDX_IMAGES = /images[-.]idx3-ubyte(\.gz)?$/;

/** Reads optional `classes.txt` (one class name per line) beside the shards. */
async function readClassNames(shard: ShardRef, signal?: AbortSignal): Promise<string[] | undefined> {
  const key = shard.key.includes('/') ? shard.key.slice(0, shard.key.lastIndexOf('/') + 1) + 'classes.txt' : 'classes.txt';
  if (!(await shard.store.head(key, { signal }))) return undefined;
  const text = Buffer.from(await shard.store.get(key, { signal })).toString('utf8');
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

async function openWebDataset(spec: string | string[], opts: OpenSourceOptions): Promise<SampleSource> {
  const shards = await resolveShards(spec, { ...opts.store, signal: opts.signal });
  const classNames = await readClassNames(shards[0]!, opts.signal);
  const numClasses = opts.numClasses ?? classNames?.length;
  return {
    format: 'webdataset',
    numClasses,
    classNames,
    channels: 3,
    samples: (o = {}) => webDatasetSamples(shards, numClasses, { signal: o.signal ?? opts.signal, shuffle: o.shuffle }),
  };
}

async function openIdx(uri: string, opts: OpenSourceOptions): Promise<SampleSource> {
  const [parent, imagesKey] = splitParent(uri);
  const store = openStore(parent, opts.store);
  const labelsKey = imagesKey.replace(/images([-.])idx3/, 'labels$1idx1');
  if (!(await store.head(labelsKey, { signal: opts.signal }))) {
    throw new DataError(`IDX labels not found: expected ${store.uri}/${labelsKey} beside ${store.uri}/${imagesKey}`, { code: 'MISSING_LABEL' });
  }
  return {
    format: 'idx',
    numClasses: opts.numClasses,
    channels: 1,
    async *samples(o = {}) {
      const signal = o.signal ?? opts.signal;
      const labels = await readIdx(store, labelsKey, { signal });
      const images = await readIdx(store, imagesKey, { signal });
      const [n, h, w] = images.dims as [number, number, number];
      if (labels.dims[0]! < n) throw new DataError(`IDX ${store.uri}/${labelsKey} has ${labels.dims[0]} labels for ${n} images`, { code: 'MISSING_LABEL' });
      const order = Array.from({ length: n }, (_, i) => i);
      if (o.shuffle) {
        const p = permutation(n, rngFor(o.shuffle.seed, Purpose.sampleShuffle, o.shuffle.epoch));
        for (let i = 0; i < n; i++) order[i] = p[i]!;
      }
      for (const i of order) {
        const label = labels.data[i]!;
        const where = `${store.uri}/${imagesKey}: item ${i}`;
        if (opts.numClasses !== undefined && label >= opts.numClasses) {
          throw new DataError(`label out of range: ${where}: class ${label} but the dataset has ${opts.numClasses} classes`, { code: 'LABEL_OUT_OF_RANGE' });
        }
        yield { key: String(i), where, label, pixels: { data: images.data.subarray(i * h * w, (i + 1) * h * w), height: h, width: w, channels: 1 } };
      }
    },
  };
}

/**
 * Opens the dataset at `uri`:
 * - tar shards: a `.tar` path, a brace pattern (`train-{000000..000004}.tar`), a comma-separated
 *   list or an array, or a directory / S3 prefix whose direct children include `*.tar`;
 * - IDX: the images file (`*-images-idx3-ubyte[.gz]`); the labels file beside it is found by name;
 * - ImageFolder: any other directory / S3 prefix (`<class>/<image>`).
 * @throws InvalidInputError / DataError naming the URI when nothing usable is there.
 */
export async function openSampleSource(uri: string | string[], opts: OpenSourceOptions = {}): Promise<SampleSource> {
  if (isExplicitShardSpec(uri) && !(typeof uri === 'string' && IDX_IMAGES.test(uri))) return openWebDataset(uri, opts);
  const spec = uri as string;
  if (IDX_IMAGES.test(spec)) return openIdx(spec, opts);
  const store = openStore(spec, opts.store);
  const listing = await store.list('', { signal: opts.signal });
  if (listing.some((o) => !o.key.includes('/') && /\.tar$/i.test(o.key))) return openWebDataset(spec, opts);
  const index = await indexImageFolder(store, opts.signal);
  const numClasses = opts.numClasses ?? index.classNames.length;
  for (const it of index.items) {
    if (it.label >= numClasses)
      throw new DataError(`label out of range: ${store.uri}/${it.key}: class ${it.label} but numClasses is ${numClasses}`, { code: 'LABEL_OUT_OF_RANGE' });
  }
  return {
    format: 'imagefolder',
    numClasses,
    classNames: index.classNames,
    channels: 3,
    samples: (o = {}) => imageFolderSamples(store, index, { signal: o.signal ?? opts.signal, shuffle: o.shuffle }),
  };
}
