/**
 * WebDataset-style shards: consecutive tar members sharing a key (`<key>.jpg|png` + `<key>.cls`)
 * form one sample. Shards stream one at a time, so memory is bounded by the shuffle buffer.
 */
import { DataError } from '../errors';
import { IMAGE_EXTENSIONS } from './decode';
import { rngFor, shuffleInPlace, type Rng } from '../random';
import { Purpose } from './purpose';
import type { ShardRef } from './shards';
import type { RawSample, ShuffleOptions } from './sample';
import { readTar } from './tar-reader';

/** Splits a member name into the WebDataset key (up to the first dot of the basename) and extension. */
export function splitMemberName(name: string): [key: string, ext: string] {
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  return dot < 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot + 1).toLowerCase()];
}

/** Parses and range-checks a `.cls` member. */
export function parseLabel(text: Uint8Array, where: string, numClasses: number | undefined): number {
  const s = Buffer.from(text).toString('utf8').trim();
  if (!/^\d{1,9}$/.test(s)) throw new DataError(`invalid label: ${where}: .cls holds '${s.slice(0, 40)}', expected a class index`, { code: 'INVALID_LABEL' });
  const label = Number(s);
  if (numClasses !== undefined && label >= numClasses) {
    throw new DataError(`label out of range: ${where}: class ${label} but the dataset has ${numClasses} classes (0..${numClasses - 1})`, {
      code: 'LABEL_OUT_OF_RANGE',
    });
  }
  return label;
}

/** Groups the members of one shard into samples, validating each. */
export async function* shardSamples(shard: ShardRef, numClasses: number | undefined, signal?: AbortSignal): AsyncGenerator<RawSample> {
  let key: string | undefined;
  let parts = new Map<string, Uint8Array>();
  const finish = (): RawSample => {
    const where = `${shard.uri}: sample '${key}'`;
    const ext = [...parts.keys()].find((e) => IMAGE_EXTENSIONS.has(e));
    if (!ext) throw new DataError(`missing image: ${where} has no .jpg/.jpeg/.png member (has: ${[...parts.keys()].join(', ')})`, { code: 'MISSING_IMAGE' });
    const cls = parts.get('cls');
    if (!cls) throw new DataError(`missing label: ${where} has no .cls member`, { code: 'MISSING_LABEL' });
    return { key: key!, where, label: parseLabel(cls, where, numClasses), encoded: parts.get(ext)! };
  };
  for await (const m of readTar(shard.store.getStream(shard.key, { signal }), shard.uri)) {
    const [k, ext] = splitMemberName(m.name);
    if (k !== key) {
      if (key !== undefined) yield finish();
      key = k;
      parts = new Map();
    }
    // Copy: the member may be a view into a read buffer that the next chunk reuses.
    parts.set(ext, m.data.slice());
  }
  if (key !== undefined) yield finish();
}

/** Yields from a shuffle buffer of `size`: each incoming sample swaps out a random buffered one. */
async function* shuffleBuffer<T>(source: AsyncIterable<T>, size: number, rng: Rng): AsyncGenerator<T> {
  const buf: T[] = [];
  for await (const item of source) {
    if (buf.length < size) {
      buf.push(item);
      continue;
    }
    const j = rng.int(size);
    const out = buf[j]!;
    buf[j] = item;
    yield out;
  }
  shuffleInPlace(buf, rng);
  yield* buf;
}

/**
 * All samples of `shards`. With `shuffle`, the shard order is permuted and samples pass through a
 * shuffle buffer, both seeded by (seed, epoch): the same seed and epoch give the same order.
 */
export async function* webDatasetSamples(
  shards: ShardRef[],
  numClasses: number | undefined,
  opts: { signal?: AbortSignal; shuffle?: ShuffleOptions } = {},
): AsyncGenerator<RawSample> {
  const order = shards.map((_, i) => i);
  const sh = opts.shuffle;
  if (sh) shuffleInPlace(order, rngFor(sh.seed, Purpose.shardOrder, sh.epoch));
  async function* all(): AsyncGenerator<RawSample> {
    for (const i of order) yield* shardSamples(shards[i]!, numClasses, opts.signal);
  }
  yield* sh ? shuffleBuffer(all(), Math.max(1, sh.bufferSize ?? 1000), rngFor(sh.seed, Purpose.sampleShuffle, sh.epoch)) : all();
}
