/**
 * A run directory (search, training, warm-up, ...) identified by its inputs: `<dir>/run.json` records
 * them; a rerun with the same inputs resumes from the directory's checkpoints, a rerun with different
 * inputs is refused rather than mixed with old checkpoints. Some inputs may change between runs
 * (`mutable`, e.g. the epochs of a promoted trial that continues with a larger budget).
 */
import { InvalidInputError } from '../errors';
import type { ObjectStore } from '../storage/object-store';
import { openStore } from '../storage/open-store';
import { readJson, writeJson } from './json-store';

export interface RunDir {
  store: ObjectStore;
  uri: string;
}

/** Removes the dotted paths from a JSON copy of `v`. */
function without(v: unknown, paths: readonly string[]): unknown {
  const copy = JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
  for (const p of paths) {
    const parts = p.split('.');
    let o: Record<string, unknown> | undefined = copy;
    for (const k of parts.slice(0, -1)) o = o && typeof o[k] === 'object' ? (o[k] as Record<string, unknown>) : undefined;
    if (o) delete o[parts[parts.length - 1]!];
  }
  return copy;
}

/** First differing top-level input, for the refusal message. */
function firstDifference(a: unknown, b: unknown): string {
  const ka = a as Record<string, unknown>;
  const kb = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(ka ?? {}), ...Object.keys(kb ?? {})])) {
    if (JSON.stringify(ka?.[k]) !== JSON.stringify(kb?.[k])) return k;
  }
  return '(none)';
}

/**
 * Opens (claims) the run directory at `uri` for `run`: writes run.json on first use, checks it on a
 * rerun. Identity excludes `mutable` paths; run.json is updated to the newest values of those.
 * @throws InvalidInputError when the directory holds a run with other inputs, naming the first one.
 */
export async function openRunDir(uri: string, run: object, o: { what: string; mutable?: readonly string[] }): Promise<RunDir> {
  const store = openStore(uri);
  const mutable = o.mutable ?? [];
  const previous = await readJson(store, 'run.json');
  if (previous !== undefined) {
    const [was, now] = [without(previous, mutable), without(run, mutable)];
    if (JSON.stringify(was) !== JSON.stringify(now)) {
      throw new InvalidInputError(
        `${store.uri} already holds a ${o.what} with other inputs ('${firstDifference(was, now)}' differs; see its run.json); use a fresh --out, or the same options to resume`,
      );
    }
  }
  await writeJson(store, 'run.json', run);
  return { store, uri: store.uri };
}
