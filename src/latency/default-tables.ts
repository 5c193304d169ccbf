/**
 * Shipped latency tables, one per built-in preset that has one: the Pixel-1 table of the reference for
 * `mobilenetv2-imagenet`, and tables profiled with `spnas profile` on the project's 2-core CPU build
 * machine (tfjs-node, statistic: mean) for the CIFAR presets (data/latency/*.json). A table is only
 * handed out when the space really is that preset: a user spec that reuses a preset name with other
 * shapes must be profiled.
 */
import { InvalidInputError } from '../errors';
import { getPreset, PRESET_NAMES } from '../space/presets';
import type { SearchSpace } from '../space/spec';
import cifarJson from '../../data/latency/cifar.json';
import cifarSmallJson from '../../data/latency/cifar-small.json';
import cifarTinyJson from '../../data/latency/cifar-tiny.json';
import { parseLatencyTableFor, type LatencyTable } from './latency-table';
import { pixel1Table } from './pixel1-table';

const SHIPPED: Record<string, () => unknown> = {
  'mobilenetv2-imagenet': pixel1Table,
  cifar: () => cifarJson,
  'cifar-small': () => cifarSmallJson,
  'cifar-tiny': () => cifarTinyJson,
};

/** Names of the spaces that ship a default latency table. */
export const SHIPPED_TABLE_SPACES = Object.keys(SHIPPED);

/** JSON with sorted keys, so specs compare equal whatever order their fields were written in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The parts of a spec that change latency (not normalisation, BN constants or dropout). */
function latencyShape(s: SearchSpace): string {
  const { inputSize, inputChannels, numClasses, stem, firstBlock, stages, lastBlock, search } = s;
  return canonical({ inputSize, inputChannels, numClasses, stem, firstBlock, stages, lastBlock, headFilters: s.head.filters, search });
}

/**
 * The shipped table for `space` (a fresh, validated copy). Throws InvalidInputError when none ships for
 * it, or when `space` only shares a preset's name, with the fix: profile it with `spnas profile`.
 */
export function defaultTableFor(space: SearchSpace): LatencyTable {
  const fix = `profile it on the target backend with \`spnas profile --space <preset|spec.json> --out table.json\` and pass that table`;
  const load = SHIPPED[space.name];
  if (!load) throw new InvalidInputError(`no latency table ships for search space '${space.name}' (shipped: ${SHIPPED_TABLE_SPACES.join(', ')}); ${fix}`);
  if (PRESET_NAMES.includes(space.name) && latencyShape(getPreset(space.name)) !== latencyShape(space)) {
    throw new InvalidInputError(
      `search space '${space.name}' differs from the built-in preset of that name, so its shipped latency table does not apply; ${fix}`,
    );
  }
  return parseLatencyTableFor(space, structuredClone(load()), `shipped latency table for '${space.name}'`);
}
