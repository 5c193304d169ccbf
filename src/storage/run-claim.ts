/**
 * The inputs record of a run directory (`run.json`), written under the run's lease: a rerun with the
 * same inputs resumes, a rerun with other inputs is refused rather than mixed with the old
 * checkpoints. Replaces the unlocked read-compare-write of `claimRunDir`.
 */
import { DataError, InvalidInputError } from '../errors';
import type { FencedStore } from './fenced-store';

export const RUN_INPUTS_KEY = 'run.json';

export interface ClaimRunOptions {
  /** What kind of run, for messages: 'search', 'training run'. */
  what: string;
  /**
   * Dotted paths of fields that may differ from the recorded run (e.g. 'config.epochs' for a promoted
   * trial that continues with a larger budget). The record is updated to the new values.
   */
  mutable?: readonly string[];
}

export interface ClaimRunResult {
  /** 'new': no previous record; 'resume': same inputs; 'updated': same except mutable fields, record rewritten. */
  outcome: 'new' | 'resume' | 'updated';
  /** The mutable fields whose values changed (empty unless 'updated'). */
  changed: string[];
}

/**
 * Records `run` as the run's inputs in run.json, or checks it against the record. Needs the lease's
 * fenced store, so the check and the write cannot interleave with another writer's.
 * @throws InvalidInputError (code RUN_INPUTS_DIFFER) naming the differing fields; DataError for a
 *   run.json that is not JSON; LeaseLostError when the lease was taken over.
 */
export async function claimRunInputs(store: FencedStore, run: object, opts: ClaimRunOptions): Promise<ClaimRunResult> {
  store.lease.assertHeld();
  const next = JSON.parse(JSON.stringify(run)) as unknown;
  const previous = await readRecord(store);
  if (previous === undefined) {
    await store.put(RUN_INPUTS_KEY, format(next), { contentType: 'application/json' });
    return { outcome: 'new', changed: [] };
  }
  const mutable = opts.mutable ?? [];
  const diffs = differences(previous, next, '');
  const fixed = diffs.filter((p) => !mutable.some((m) => p === m || p.startsWith(`${m}.`)));
  if (fixed.length > 0) {
    const shown = fixed
      .slice(0, 5)
      .map((p) => p || '(the whole record)')
      .join(', ');
    throw new InvalidInputError(
      `${store.uri} already holds a ${opts.what} with other inputs (${shown}${fixed.length > 5 ? `, and ${fixed.length - 5} more` : ''} differ; see its ${RUN_INPUTS_KEY}): use a fresh output directory, or the same options to resume`,
      { code: 'RUN_INPUTS_DIFFER' },
    );
  }
  if (diffs.length === 0) return { outcome: 'resume', changed: [] };
  await store.put(RUN_INPUTS_KEY, format(next), { contentType: 'application/json' });
  return { outcome: 'updated', changed: diffs };
}

async function readRecord(store: FencedStore): Promise<unknown | undefined> {
  let raw: Uint8Array;
  try {
    raw = await store.get(RUN_INPUTS_KEY);
  } catch (err) {
    if ((err as { code?: string }).code === 'NOT_FOUND') return undefined;
    throw err;
  }
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (err) {
    throw new DataError(`${store.uri}/${RUN_INPUTS_KEY} is not valid JSON: ${(err as Error).message}; fix or delete it (it records the run's inputs)`, {
      code: 'CORRUPT_RUN_RECORD',
      cause: err,
    });
  }
}

function format(v: unknown): string {
  return JSON.stringify(v, null, 2) + '\n';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Dotted paths where two JSON values differ, independent of key order. A mutable path also covers
 * what lies below it; arrays compare whole (their elements have no stable names).
 */
function differences(a: unknown, b: unknown, path: string): string[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => differences(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return canonical(a) === canonical(b) ? [] : [path];
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}
