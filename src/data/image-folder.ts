/** ImageFolder layout: `<root>/<class>/<image>` (root is one split, e.g. `data/train`), local or S3. */
import { DataError } from '../errors';
import type { ObjectStore } from '../storage';
import { IMAGE_EXTENSIONS } from './decode';
import { permutation, rngFor } from '../random';
import { Purpose } from './purpose';
import type { RawSample, ShuffleOptions } from './sample';

/** The listing of an ImageFolder: class names (sorted) and every image key with its label. */
export interface ImageFolderIndex {
  classNames: string[];
  items: { key: string; label: number }[];
}

/**
 * Lists an ImageFolder. Classes are the first path segment, sorted by name (label = index), as
 * torchvision does; images may sit deeper inside a class directory. Other files are ignored.
 * @throws DataError when no `<class>/<image>` files are found.
 */
export async function indexImageFolder(store: ObjectStore, signal?: AbortSignal): Promise<ImageFolderIndex> {
  const keys = (await store.list('', { signal }))
    .map((o) => o.key)
    .filter((k) => {
      const dot = k.lastIndexOf('.');
      return k.includes('/') && dot > 0 && IMAGE_EXTENSIONS.has(k.slice(dot + 1).toLowerCase());
    });
  const classNames = [...new Set(keys.map((k) => k.slice(0, k.indexOf('/'))))].sort();
  if (classNames.length === 0) throw new DataError(`no images found under ${store.uri}: expected <class>/<image>.jpg|png`, { code: 'EMPTY_DATASET' });
  const labelOf = new Map(classNames.map((c, i) => [c, i]));
  return { classNames, items: keys.map((key) => ({ key, label: labelOf.get(key.slice(0, key.indexOf('/')))! })) };
}

/**
 * Reads the images of an index in listing order (or a seeded permutation), keeping up to
 * `concurrency` reads in flight: one request per image is the cost of this layout on S3.
 */
export async function* imageFolderSamples(
  store: ObjectStore,
  index: ImageFolderIndex,
  opts: { signal?: AbortSignal; shuffle?: ShuffleOptions; concurrency?: number } = {},
): AsyncGenerator<RawSample> {
  const n = index.items.length;
  const order = opts.shuffle ? permutation(n, rngFor(opts.shuffle.seed, Purpose.sampleShuffle, opts.shuffle.epoch)) : null;
  const depth = Math.max(1, opts.concurrency ?? 8);
  const inFlight: Promise<RawSample>[] = [];
  let next = 0;
  const start = () => {
    const item = index.items[order ? order[next]! : next]!;
    next++;
    inFlight.push(
      store.get(item.key, { signal: opts.signal }).then((encoded) => ({ key: item.key, where: `${store.uri}/${item.key}`, label: item.label, encoded })),
    );
  };
  try {
    while (next < n && inFlight.length < depth) start();
    while (inFlight.length > 0) {
      const sample = await inFlight.shift()!;
      if (next < n) start();
      yield sample;
    }
  } finally {
    // A consumer that stops early must not leave rejected reads unobserved.
    for (const p of inFlight) p.catch(() => undefined);
  }
}
