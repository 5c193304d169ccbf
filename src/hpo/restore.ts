/**
 * Rebuilds any sampler from its `toJSON()` snapshot: the inverse that lets a Temporal workflow
 * continue-as-new, or a crashed study resume, without losing what the sampler learned.
 */
import type { Sampler, SamplerState } from './sampler';
import { parseSnapshotOf } from './snapshot';

/**
 * The sampler a snapshot describes, continuing exactly where the original stopped. The snapshot (an
 * object or its JSON text) is validated first (snapshot.ts): a bad one throws InvalidInputError
 * (code INVALID_SNAPSHOT, or UNSUPPORTED_SNAPSHOT_VERSION) naming the bad fields, and nothing is built.
 * The sampler's descriptor (registry.ts) restores it.
 */
export function restoreSampler(state: SamplerState | string): Sampler {
  const { state: s, descriptor } = parseSnapshotOf(state);
  return descriptor.restore(s);
}
