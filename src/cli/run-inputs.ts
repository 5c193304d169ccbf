/**
 * Reading what earlier commands wrote: a search's run.json (space, data, runtime loss) and an
 * architecture given as a file or as a search output directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInputError } from '../errors';
import { parseArchitecture, type Architecture } from '../space/architecture';
import { parseSearchSpace, type SearchSpace } from '../space/spec';
import { openStore } from '../storage/open-store';
import { readJsonFile } from './args';
import { dataSpecSchema, type DataSpec } from '../config/data-spec';
import { readJson } from '../storage/json-store';
import { resolveSpace } from './space-arg';

export interface ArchitectureInput {
  space: SearchSpace;
  architecture: Architecture;
  /** From the search run, when --arch named a search output. */
  data?: DataSpec;
  search?: { lambda: number; kind: string; targetMs?: number; seed: number; uri: string };
}

/** --arch is either an architecture.json file or a search --out (local or s3://). */
export async function readArchitectureInput(arch: string, spaceFlag?: string): Promise<ArchitectureInput> {
  const isFile = arch.endsWith('.json') && !arch.startsWith('s3://');
  if (isFile) {
    const json = readJsonFile(arch, 'architecture') as { space?: string };
    const runFile = path.join(path.dirname(arch), 'run.json');
    const run = fs.existsSync(runFile) ? (readJsonFile(runFile, 'search run') as Record<string, unknown>) : undefined;
    return fromRun(json, run, spaceFlag, arch, path.dirname(arch));
  }
  const store = openStore(arch);
  const json = await readJson(store, 'architecture.json');
  if (json === undefined)
    throw new InvalidInputError(`--arch ${arch}: no architecture.json there; give an architecture file or a finished 'spnas search' --out`);
  return fromRun(json, (await readJson(store, 'run.json')) as Record<string, unknown> | undefined, spaceFlag, `${store.uri}/architecture.json`, store.uri);
}

function fromRun(json: unknown, run: Record<string, unknown> | undefined, spaceFlag: string | undefined, where: string, uri: string): ArchitectureInput {
  const space = spaceFlag
    ? resolveSpace(spaceFlag)
    : run?.space
      ? parseSearchSpace(run.space, `${uri}/run.json space`)
      : resolveSpace(String((json as { space?: string }).space ?? ''));
  const architecture = parseArchitecture(space, json, where);
  if (!run) return { space, architecture };
  const cfg = run.config as { runtimeLoss: { lambda: number; kind: string; targetMs?: number }; seed: number };
  const data = dataSpecSchema.safeParse(run.data);
  return {
    space,
    architecture,
    ...(data.success ? { data: data.data } : {}),
    search: { lambda: cfg.runtimeLoss.lambda, kind: cfg.runtimeLoss.kind, targetMs: cfg.runtimeLoss.targetMs, seed: cfg.seed, uri },
  };
}
