/**
 * Rebuilds any sampler from its `toJSON()` snapshot: the inverse that lets a Temporal workflow
 * continue-as-new, or a crashed study resume, without losing what the sampler learned.
 */
import { InvalidInputError } from '../errors';
import { AshaSampler } from './asha';
import { BohbSampler } from './bohb';
import { GpSampler } from './gp-sampler';
import { HyperbandSampler } from './hyperband';
import { ParEgoSampler } from './parego';
import { RandomSampler } from './random-sampler';
import type { Sampler, SamplerState } from './sampler';

/** The sampler a snapshot describes, continuing exactly where the original stopped. */
export function restoreSampler(state: SamplerState | string): Sampler {
  const s = (typeof state === 'string' ? JSON.parse(state) : state) as SamplerState;
  if (typeof s !== 'object' || s === null) throw new InvalidInputError('sampler state: must be an object');
  if (s.version !== 1) throw new InvalidInputError(`sampler state.version: unsupported version ${JSON.stringify(s.version)} (this library reads version 1)`);
  // The snapshots' own types are private to each sampler module; `never` hands them over unchecked.
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
    default:
      throw new InvalidInputError(`sampler state.kind: unknown sampler ${JSON.stringify((s as { kind?: unknown }).kind)}`);
  }
}
