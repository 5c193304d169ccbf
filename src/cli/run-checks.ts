/**
 * Checks of what a rerun finds in storage, before any compute: a run directory holding a run with
 * other inputs is refused naming the inputs that differ, and the search run record that `train --arch`
 * reads is validated (a hand-edited or truncated run.json gives a clear error, not a TypeError).
 * (The lead's src/usecases/run-dir.ts and the lease-based claim supersede the first; see the report.)
 */
import * as path from 'node:path';
import { z } from 'zod';
import { jsonDifferences } from '../config/json-diff';
import { parseSearchConfig } from '../config/training-config';
import { formatIssues } from '../config/zod-issues';
import { InvalidInputError } from '../errors';
import type { ObjectStore } from '../storage/object-store';
import { openStore } from '../storage/open-store';
import { readJson } from './engine-io';

/** Throws when `store` already holds a run.json whose inputs differ from `run`, naming them. */
export async function refuseChangedRun(store: ObjectStore, run: object, what: string): Promise<void> {
  const previous = await readJson(store, 'run.json');
  if (previous === undefined) return;
  const diffs = jsonDifferences(previous, run);
  if (diffs.length) {
    throw new InvalidInputError(`${store.uri} already holds a ${what} with other inputs (${diffs.join('; ')}); use a fresh --out, or the same options as its run.json to resume`);
  }
}

const searchRunSchema = z.object({ space: z.record(z.string(), z.unknown()), config: z.record(z.string(), z.unknown()), data: z.unknown().optional() }).passthrough();

/** Validates the run.json of the search that `--arch` names (beside an architecture file, or in a search --out), if any. */
export async function checkSearchRunOf(arch: string): Promise<void> {
  const isFile = arch.endsWith('.json') && !arch.startsWith('s3://');
  const store = openStore(isFile ? path.dirname(arch) : arch);
  const run = await readJson(store, 'run.json');
  if (run === undefined) return;
  const where = `${store.uri}/run.json`;
  const r = searchRunSchema.safeParse(run);
  if (!r.success) throw new InvalidInputError(`${where} is not a search's run record:\n${formatIssues(r.error.issues)}\nrestore it from the search's output, or remove it and give train --data and --space`);
  parseSearchConfig(r.data.config, `${where} config`);
}
