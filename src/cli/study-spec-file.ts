/** Reads a study spec file for the CLI: relative storage and data paths resolve against the file's directory. */
import * as path from 'node:path';
import { parseStudySpec, type StudySpec } from '../study/spec';
import { readJsonFile } from './args';

function absolute(p: unknown, base: string): unknown {
  return typeof p === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(p) && !path.isAbsolute(p) ? path.resolve(base, p) : p;
}

export function readStudySpecFile(file: string): StudySpec {
  const raw = { ...(readJsonFile(file, 'study spec') as Record<string, unknown>) };
  delete raw.$schema; // editors' schema reference; not part of the workflow input
  const base = path.dirname(path.resolve(file));
  const data = raw.data as { train?: { uri?: unknown }; test?: { uri?: unknown } } | undefined;
  const budget = raw.budget as { final?: { data?: { uri?: unknown } } } | undefined;
  const resolved = {
    ...raw,
    storage: absolute(raw.storage, base),
    ...(raw.latencyTable && typeof raw.latencyTable === 'object' && 'uri' in raw.latencyTable
      ? { latencyTable: { ...raw.latencyTable, uri: absolute((raw.latencyTable as { uri: unknown }).uri, base) } }
      : {}),
    ...(data
      ? {
          data: {
            ...data,
            ...(data.train ? { train: { ...data.train, uri: absolute(data.train.uri, base) } } : {}),
            ...(data.test ? { test: { ...data.test, uri: absolute(data.test.uri, base) } } : {}),
          },
        }
      : {}),
    ...(budget?.final?.data
      ? { budget: { ...budget, final: { ...budget.final, data: { ...budget.final.data, uri: absolute(budget.final.data.uri, base) } } } }
      : {}),
  };
  return parseStudySpec(resolved, `study spec '${file}'`);
}
