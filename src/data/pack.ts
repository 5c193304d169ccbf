/** `spnas data pack`: ImageFolder -> WebDataset tar shards (plus classes.txt), local or S3. */
import { InvalidInputError } from '../errors';
import { openStore, throwIfAborted, type OpenStoreOptions } from '../storage';
import { decodeImage } from './decode';
import { indexImageFolder } from './image-folder';
import { permutation, rngFor } from '../random';
import { Purpose } from './purpose';
import { buildTar } from './tar-writer';

/** Options of {@link packImageFolder}. */
export interface PackOptions {
  /** Samples per shard. Default 10000. */
  shardSize?: number;
  /** Shard file name prefix: `<prefix>-000000.tar`. Default 'train'. */
  prefix?: string;
  /** Shuffle samples across shards with this seed (so each shard is class-balanced); null keeps listing order. Default 0. */
  seed?: number | null;
  /** Decode every image before packing, so corrupt files fail here rather than in training. Default true. */
  verify?: boolean;
  signal?: AbortSignal;
  store?: OpenStoreOptions;
  /** Progress callback after each shard. */
  onShard?: (info: { uri: string; samples: number }) => void;
}

/** What was written. */
export interface PackResult {
  shards: string[];
  samples: number;
  classNames: string[];
}

/**
 * Packs an ImageFolder (`<src>/<class>/<image>`) into tar shards under `out`. Each sample is the
 * original image bytes as `<index>.<ext>` plus `<index>.cls`; classes.txt lists the class names.
 * Memory is bounded by one shard. Each shard is published atomically (see ObjectStore.put).
 * @throws DataError naming the file for a corrupt image (when verify is on).
 */
export async function packImageFolder(src: string, out: string, opts: PackOptions = {}): Promise<PackResult> {
  const shardSize = opts.shardSize ?? 10000;
  if (!Number.isInteger(shardSize) || shardSize < 1) throw new InvalidInputError(`--shard-size ${opts.shardSize}: must be a positive integer`);
  const prefix = opts.prefix ?? 'train';
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new InvalidInputError(`shard prefix '${prefix}': use letters, digits, '_' or '-'`);
  const source = openStore(src, opts.store);
  const target = openStore(out, opts.store);
  const index = await indexImageFolder(source, opts.signal);
  const n = index.items.length;
  const seed = opts.seed === undefined ? 0 : opts.seed;
  const order = seed === null ? Int32Array.from({ length: n }, (_, i) => i) : permutation(n, rngFor(seed, Purpose.shardOrder));
  const shards: string[] = [];
  for (let first = 0, s = 0; first < n; first += shardSize, s++) {
    const members: { name: string; data: Uint8Array }[] = [];
    for (let i = first; i < Math.min(n, first + shardSize); i++) {
      throwIfAborted(opts.signal, 'pack');
      const item = index.items[order[i]!]!;
      const bytes = await source.get(item.key, { signal: opts.signal });
      if (opts.verify !== false) decodeImage(bytes, `${source.uri}/${item.key}`);
      const key = String(i).padStart(8, '0');
      const ext = item.key.slice(item.key.lastIndexOf('.') + 1).toLowerCase();
      members.push({ name: `${key}.${ext === 'jpeg' ? 'jpg' : ext}`, data: bytes }, { name: `${key}.cls`, data: Buffer.from(String(item.label)) });
    }
    const name = `${prefix}-${String(s).padStart(6, '0')}.tar`;
    await target.put(name, buildTar(members), { signal: opts.signal });
    shards.push(`${target.uri}/${name}`);
    opts.onShard?.({ uri: `${target.uri}/${name}`, samples: members.length / 2 });
  }
  await target.put('classes.txt', index.classNames.join('\n') + '\n', { signal: opts.signal });
  return { shards, samples: n, classNames: index.classNames };
}
