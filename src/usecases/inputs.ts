/**
 * References that use-case inputs carry instead of objects in memory: a search space (preset name or
 * spec), a latency table (store URI, inline, or the one shipped for the space), an architecture
 * (inline, codec string, or the URI of an architecture.json / a search's output). All JSON, so an
 * input can cross Temporal and a Kubernetes Job unchanged.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { architectureFromString, parseArchitecture, type Architecture } from '../space/architecture';
import { getPreset, PRESET_NAMES } from '../space/presets';
import { parseSearchSpace, type SearchSpace } from '../space/spec';
import { checkTableForSpace, parseLatencyTable, type LatencyTable } from '../latency/latency-table';
import { defaultTableFor } from '../latency/default-tables';
import { readJsonUriIfExists } from '../storage/json-store';

/** A preset name or a whole space spec. */
export const spaceRefSchema = z.union([z.string().min(1), z.record(z.string(), z.unknown())]);
export type SpaceRef = z.infer<typeof spaceRefSchema>;

export function resolveSpaceRef(ref: SpaceRef, what = 'space'): SearchSpace {
  if (typeof ref !== 'string') return parseSearchSpace(ref, what);
  if (PRESET_NAMES.includes(ref)) return getPreset(ref);
  throw new InvalidInputError(`${what}: unknown preset '${ref}'; choose one of ${PRESET_NAMES.join(', ')} or give a spec object`);
}

/** `{ uri }` of a table JSON, `{ table }` inline (`source` names it in errors), or absent: the table shipped for the space. */
export const tableRefSchema = z.union([
  z.object({ uri: z.string().min(1) }).strict(),
  z.object({ table: z.unknown(), source: z.string().optional() }).strict(),
]);
export type TableRef = z.infer<typeof tableRefSchema>;

/** Reads one JSON object given by a full URI (`s3://b/p/x.json`, `file:///d/x.json`, a path). */
export async function readJsonUri(uri: string, what: string): Promise<unknown> {
  const v = await readJsonUriIfExists(uri);
  if (v === undefined) throw new InvalidInputError(`${what} ${uri} does not exist`);
  return v;
}

export async function resolveTableRef(ref: TableRef | undefined, space: SearchSpace): Promise<LatencyTable> {
  if (!ref) return defaultTableFor(space);
  const [value, where] =
    'uri' in ref ? [await readJsonUri(ref.uri, 'latency table'), `latency table ${ref.uri}`] : [ref.table, ref.source ?? 'inline latency table'];
  return checkTableForSpace(parseLatencyTable(value, where), space, where);
}

/** An architecture inline (JSON or `k5e6,skip,...`), or `{ uri }` of architecture.json or of a search's output. */
export const architectureRefSchema = z.union([z.string().min(1), z.object({ uri: z.string().min(1) }).strict(), z.record(z.string(), z.unknown())]);
export type ArchitectureRef = z.infer<typeof architectureRefSchema>;

export async function resolveArchitectureRef(ref: ArchitectureRef, space: SearchSpace): Promise<Architecture> {
  if (typeof ref === 'string') return architectureFromString(space, ref);
  if ('uri' in ref && typeof ref.uri === 'string' && Object.keys(ref).length === 1) {
    const uri = ref.uri.endsWith('.json') ? ref.uri : `${ref.uri.replace(/\/+$/, '')}/architecture.json`;
    return parseArchitecture(space, await readJsonUri(uri, 'architecture'), uri);
  }
  return parseArchitecture(space, ref, 'architecture');
}
