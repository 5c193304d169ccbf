/** Resolves a shard specification (directory, prefix, list, brace pattern) into concrete objects. */
import { InvalidInputError } from '../errors';
import { openStore, splitParent, type ObjectStore, type OpenStoreOptions } from '../storage';

/** One tar shard: the store holding it, its key there, and its URI for messages. */
export interface ShardRef {
  store: ObjectStore;
  key: string;
  uri: string;
}

/**
 * Expands `{a,b}` alternatives and `{000..004}` numeric ranges (zero padding follows the first bound),
 * as WebDataset and shells do. Nested braces are expanded left to right.
 * @throws InvalidInputError for a malformed or reversed range.
 */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  const close = pattern.indexOf('}', open);
  if (close < 0) throw new InvalidInputError(`unbalanced '{' in shard pattern '${pattern}'`);
  const body = pattern.slice(open + 1, close);
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  let items: string[];
  const range = /^(\d+)\.\.(\d+)$/.exec(body);
  if (range) {
    const [lo, hi] = [Number(range[1]), Number(range[2])];
    if (hi < lo) throw new InvalidInputError(`reversed range {${body}} in shard pattern '${pattern}'`);
    if (hi - lo > 1_000_000) throw new InvalidInputError(`range {${body}} in '${pattern}' is too large`);
    const width = range[1]!.length;
    items = [];
    for (let i = lo; i <= hi; i++) items.push(String(i).padStart(width, '0'));
  } else {
    items = body.split(',');
  }
  return items.flatMap((it) => expandBraces(head + it + tail));
}

function shardAt(uri: string, opts: OpenStoreOptions, cache: Map<string, ObjectStore>): ShardRef {
  const [parent, name] = splitParent(uri);
  let store = cache.get(parent);
  if (!store) cache.set(parent, (store = openStore(parent, opts)));
  return { store, key: name, uri: `${store.uri}/${name}` };
}

/** True when `spec` names shards explicitly (a list, a pattern or a .tar path) rather than a directory. */
export function isExplicitShardSpec(spec: string | string[]): boolean {
  return Array.isArray(spec) || spec.includes('{') || spec.includes(',') || /\.tar$/i.test(spec);
}

/**
 * Resolves shards from: an array of URIs/paths, a comma-separated list, a brace pattern, a single
 * `.tar`, or a directory / S3 prefix (every `*.tar` directly inside it, sorted by name).
 * @throws InvalidInputError when a directory holds no shards.
 */
export async function resolveShards(spec: string | string[], opts: OpenStoreOptions & { signal?: AbortSignal } = {}): Promise<ShardRef[]> {
  const cache = new Map<string, ObjectStore>();
  if (isExplicitShardSpec(spec)) {
    const list = Array.isArray(spec)
      ? spec
      : spec
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
    return list.flatMap(expandBraces).map((u) => shardAt(u, opts, cache));
  }
  const store = openStore(spec as string, opts);
  const keys = (await store.list('', { signal: opts.signal })).map((o) => o.key).filter((k) => !k.includes('/') && /\.tar$/i.test(k));
  if (keys.length === 0) throw new InvalidInputError(`no *.tar shards directly under ${store.uri}`);
  return keys.map((key) => ({ store, key, uri: `${store.uri}/${key}` }));
}
