/**
 * Rebuilds any sampler from its `toJSON()` snapshot: the inverse that lets a Temporal workflow
 * continue-as-new, or a crashed study resume, without losing what the sampler learned.
 */
import { AshaSampler } from './asha';
import { BohbSampler } from './bohb';
import { GpSampler } from './gp-sampler';
import { HyperbandSampler } from './hyperband';
import { ParEgoSampler } from './parego';
import { RandomSampler } from './random-sampler';
import type { Sampler, SamplerState } from './sampler';
import { parseSnapshot } from './snapshot';

/**
 * The sampler a snapshot describes, continuing exactly where the original stopped. The snapshot (an
 * object or its JSON text) is validated first (snapshot.ts): a bad one throws InvalidInputError
 * (code INVALID_SNAPSHOT, or UNSUPPORTED_SNAPSHOT_VERSION) naming every bad field, and nothing is built.
 */
export function restoreSampler(state: SamplerState | string): Sampler {
  const s = parseSnapshot(state);
  // The snapshots' own types are private to each sampler module; parseSnapshot checked their shape.
  switch (s.kind) {
    case 'random':
      return RandomSampler.fromJSON(s as never);
    case 'gp':
      return GpSampler.fromJSON(s as never);
    case 'parego':
      return ParEgoSampler.fromJSON(s as never);
    case 'hyperband':
      return HyperbandSampler.fromJSON(s as never);
    case 'bohb':
      return BohbSampler.fromJSON(s as never);
    case 'asha':
      return AshaSampler.fromJSON(s as never);
  }
}
