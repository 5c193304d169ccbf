/**
 * The search run record that `train --arch` reads (run-inputs.ts) is validated before it is used: a
 * hand-edited or truncated run.json gives a clear error naming the file and the fields, not a TypeError.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { parseSearchConfig } from '../config/training-config';
import { formatIssues } from '../config/zod-issues';
import { InvalidInputError } from '../errors';
import { openStore } from '../storage/open-store';
import { readJson } from '../storage/json-store';

const searchRunSchema = z
  .object({ space: z.record(z.string(), z.unknown()), config: z.record(z.string(), z.unknown()), data: z.unknown().optional() })
  .passthrough();

/** Validates the run.json of the search that `--arch` names (beside an architecture file, or in a search --out), if any. */
export async function checkSearchRunOf(arch: string): Promise<void> {
  const isFile = arch.endsWith('.json') && !arch.startsWith('s3://');
  const store = openStore(isFile ? path.dirname(arch) : arch);
  const run = await readJson(store, 'run.json');
  if (run === undefined) return;
  const where = `${store.uri}/run.json`;
  const r = searchRunSchema.safeParse(run);
  if (!r.success)
    throw new InvalidInputError(
      `${where} is not a search's run record:\n${formatIssues(r.error.issues)}\nrestore it from the search's output, or remove it and give train --data and --space`,
    );
  parseSearchConfig(r.data.config, `${where} config`);
}
