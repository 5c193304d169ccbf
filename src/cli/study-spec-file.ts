/**
 * Reads a study spec file for the CLI: relative storage, data and table paths resolve against the
 * file's directory (so a spec works from any working directory, and `spnas study resolve` turns it into
 * the absolute spec `temporal workflow start --input-file` needs: a worker has no idea where the file was).
 */
import * as path from 'node:path';
import { parseStudySpec, type StudySpec } from '../study/spec';
import { readJsonFile } from './args';

function absolute(p: unknown, base: string): unknown {
  return typeof p === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(p) && !path.isAbsolute(p) ? path.resolve(base, p) : p;
}

/** The spec file's JSON with its relative paths made absolute, not yet validated (`spnas study validate` reports every problem). */
export function resolveStudySpecFile(file: string): Record<string, unknown> {
  const raw = { ...(readJsonFile(file, 'study spec') as Record<string, unknown>) };
  delete raw.$schema; // editors' schema reference; not part of the workflow input
  const base = path.dirname(path.resolve(file));
  type WithUri = { uri?: unknown } | undefined;
  // every URI-valued field of a spec: the training and test data, the final retraining's data, the table
  const withUri = <T extends WithUri>(o: T) => (o ? { ...o, uri: absolute(o.uri, base) } : o);
  const data = raw.data as { train?: WithUri; test?: WithUri } | undefined;
  const budget = raw.budget as { final?: { data?: WithUri } } | undefined;
  const table = raw.latencyTable as WithUri;
  const resolved = {
    ...raw,
    storage: absolute(raw.storage, base),
    ...(table && typeof table === 'object' && 'uri' in table ? { latencyTable: withUri(table) } : {}),
    ...(data ? { data: { ...data, ...(data.train ? { train: withUri(data.train) } : {}), ...(data.test ? { test: withUri(data.test) } : {}) } } : {}),
    ...(budget?.final?.data ? { budget: { ...budget, final: { ...budget.final, data: withUri(budget.final.data) } } } : {}),
  };
  return resolved;
}

export function readStudySpecFile(file: string): StudySpec {
  return parseStudySpec(resolveStudySpecFile(file), `study spec '${file}'`);
}
