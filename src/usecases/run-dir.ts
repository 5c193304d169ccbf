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

/** Dotted paths of the inputs that differ (at most 5), for the refusal message. */
function differingInputs(a: unknown, b: unknown, path = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((k) => differingInputs(a[k], b[k], path ? `${path}.${k}` : k)).slice(0, 5);
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path || '(the whole record)'];
}

/**
 * Opens (claims) the run directory at `uri` for `run`: writes run.json on first use, checks it on a
 * rerun. Identity excludes `mutable` paths; run.json is updated to the newest values of those.
 * @throws InvalidInputError when the directory holds a run with other inputs, naming them.
 */
export async function openRunDir(uri: string, run: object, o: { what: string; mutable?: readonly string[] }): Promise<RunDir> {
  const store = openStore(uri);
  const mutable = o.mutable ?? [];
  const previous = await readJson(store, 'run.json');
  if (previous !== undefined) {
    const [was, now] = [without(previous, mutable), without(run, mutable)];
    if (JSON.stringify(was) !== JSON.stringify(now)) {
      throw new InvalidInputError(
        `${store.uri} already holds a ${o.what} with other inputs (${differingInputs(was, now).join(', ')} differ; see its run.json); use a fresh --out, or the same options to resume`,
      );
    }
  }
  await writeJson(store, 'run.json', run);
  return { store, uri: store.uri };
}
