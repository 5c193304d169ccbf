/**
 * What a sampler module exports so the rest of spnas can use it without naming it: how to build one
 * for a study, the schema of its options and snapshot, and how to restore one. registry.ts lists the
 * descriptors; snapshot validation, restore, the study spec's sampler list and the study's sampler
 * factory all go through it (docs/hpo.md "Adding a sampler").
 */
import type { z } from 'zod';
import type { Direction, Sampler, SamplerState } from './sampler';
import type { SamplerTraits } from './sampler-catalog';
import type { Space } from './space';

/** What the owner of the objective (a study) tells a sampler it creates. */
export interface SamplerSettings {
  readonly seed: number;
  /** One direction per objective: one for a scalar objective, one per component of a vector objective. */
  readonly directions: readonly Direction[];
  /** Observations are noisy (two runs of one configuration differ): judge the incumbent by a model where one exists. */
  readonly noisy: boolean;
  /** Multi-fidelity samplers: the largest budget and the reduction factor between rungs. */
  readonly maxBudget: number;
  readonly eta: number;
  /** Samplers with an initial design (traits.initialDesign): its size; unset, the sampler's default. */
  readonly initialTrials?: number;
}

/** Records a problem found in a snapshot, at a path below the snapshot's root. */
export type IssueSink = (path: readonly (string | number)[], message: string) => void;

export interface SamplerDescriptor extends SamplerTraits {
  /** The name a study selects it by (src/study/spec.ts `hpo.sampler`). */
  readonly name: string;
  /**
   * The `kind` its samplers write into their snapshots; the descriptor of that name restores them.
   * Equal to `name` except for a variant of another sampler ('sobol' is random search on a Sobol sequence).
   */
  readonly kind: string;
  /** Its options as a snapshot stores them (zod): every number bounded, so a snapshot cannot ask for hours of work. */
  readonly options: z.ZodType;
  /** Its own snapshot fields besides kind, version, space, rng, ledger and options (those are BaseSampler's). */
  readonly snapshot: z.ZodRawShape;
  /** Checks across the fields of a snapshot that passed the schema (ids that must exist, lengths that must agree). */
  crossCheck?(state: Readonly<Record<string, unknown>>, space: Space, add: IssueSink): void;
  /** Values an ok trial reports: undefined for one number, m for a vector of m. */
  arity?(state: Readonly<Record<string, unknown>>): number | undefined;
  /** A new sampler for a study. */
  create(space: Space, settings: SamplerSettings): Sampler;
  /** The sampler a validated snapshot describes, continuing exactly where the original stopped. */
  restore(state: SamplerState): Sampler;
}
