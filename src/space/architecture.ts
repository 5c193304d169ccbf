/**
 * A derived (discrete) architecture: one op per searchable layer. JSON is the storage format; the
 * compact string form ("k3e3,skip,k5e6+se,...") is only a codec for logs and CLI flags.
 */
import { z } from 'zod';
import { parseOrThrow } from '../config/zod-issues';
import { InvalidInputError } from '../errors';
import { layoutOf } from './layers';
import type { SearchSpace } from './spec';

export const layerOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('skip') }).strict(),
  z
    .object({
      op: z.literal('mbconv'),
      kernel: z.union([z.literal(3), z.literal(5)]),
      expansion: z.union([z.literal(3), z.literal(6)]),
      se: z.boolean().default(false),
    })
    .strict(),
]);
export type LayerOp = z.output<typeof layerOpSchema>;
export type MbconvOp = Extract<LayerOp, { op: 'mbconv' }>;

export const architectureSchema = z
  .object({
    /** Name of the search space the architecture belongs to. */
    space: z.string().min(1),
    layers: z.array(layerOpSchema).min(1),
  })
  .strict();
export type Architecture = z.output<typeof architectureSchema>;

/** The four MBConv candidates in LUT column order. */
export const CANDIDATES = ['k3e3', 'k3e6', 'k5e3', 'k5e6'] as const;
export type Candidate = (typeof CANDIDATES)[number];

export function opName(op: LayerOp): string {
  return op.op === 'skip' ? 'skip' : `k${op.kernel}e${op.expansion}${op.se ? '+se' : ''}`;
}

export function parseOpName(name: string): LayerOp {
  const s = name.trim();
  if (s === 'skip') return { op: 'skip' };
  const m = /^k([35])e([36])(\+se)?$/.exec(s);
  if (!m) throw new InvalidInputError(`unknown layer op '${name}': use skip or k{3,5}e{3,6}, optionally with +se (e.g. k5e6+se)`);
  return { op: 'mbconv', kernel: Number(m[1]) as 3 | 5, expansion: Number(m[2]) as 3 | 6, se: Boolean(m[3]) };
}

export function architectureToString(arch: Architecture): string {
  return arch.layers.map(opName).join(',');
}

export function architectureFromString(space: SearchSpace, s: string): Architecture {
  return checkArchitecture(space, { space: space.name, layers: s.split(',').map(parseOpName) });
}

/** Parses JSON data and checks it fits `space` (layer count, skip only where allowed, SE only if searchable). */
export function parseArchitecture(space: SearchSpace, value: unknown, source = 'architecture'): Architecture {
  return checkArchitecture(space, parseOrThrow(architectureSchema, value, source), source);
}

function checkArchitecture(space: SearchSpace, arch: Architecture, source = 'architecture'): Architecture {
  const layout = layoutOf(space);
  const problems: string[] = [];
  if (arch.space !== space.name) problems.push(`  - space: architecture is for '${arch.space}', not '${space.name}'`);
  if (arch.layers.length !== layout.searchable.length) {
    problems.push(`  - layers: ${arch.layers.length} layers given, space '${space.name}' has ${layout.searchable.length} searchable layers`);
  }
  arch.layers.forEach((op, i) => {
    const l = layout.searchable[i];
    if (!l) return;
    if (op.op === 'skip' && !l.skipAllowed) problems.push(`  - layers[${i}]: skip is not allowed here (first layer of stage ${l.stage} or skip disabled)`);
    if (op.op === 'mbconv' && op.se && !space.search.se) problems.push(`  - layers[${i}].se: space '${space.name}' has no searchable SE`);
  });
  if (problems.length) throw new InvalidInputError(`invalid ${source}:\n${problems.join('\n')}`);
  return arch;
}

/** The all-largest architecture (k5e6 everywhere, SE on when searchable): the supernet's starting point. */
export function largestArchitecture(space: SearchSpace): Architecture {
  return {
    space: space.name,
    layers: layoutOf(space).searchable.map(() => ({ op: 'mbconv' as const, kernel: 5 as const, expansion: 6 as const, se: space.search.se })),
  };
}

export function uniformArchitecture(space: SearchSpace, op: LayerOp): Architecture {
  return { space: space.name, layers: layoutOf(space).searchable.map(() => ({ ...op })) };
}
