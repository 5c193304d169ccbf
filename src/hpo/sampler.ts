/**
 * The one ask/tell interface every sampler implements (the shape of Optuna's ask-and-tell API,
 * Akiba et al., KDD 2019), designed so that an outside orchestrator - a Temporal workflow that owns
 * the study history - can drive it: `ask()` hands out a trial, `tell()` reports its outcome, and
 * `toJSON()` is a complete, exact snapshot of the sampler (options, random state, history) that
 * {@link restoreSampler} turns back into a sampler proposing exactly what the original would have.
 */
import type { Params, SpaceSpec } from './space';

/** Optimisation direction of a scalar objective. */
export type Direction = 'minimize' | 'maximize';

/** A proposal. `budget` is set by multi-fidelity samplers: search epochs after warm-up to run. */
export interface Trial {
  readonly trialId: number;
  readonly params: Params;
  readonly budget?: number;
  /**
   * Multi-fidelity samplers re-run a configuration at a larger budget as a new trial with the same
   * `configId`, so the orchestrator may resume from that configuration's earlier checkpoint.
   */
  readonly configId?: number;
}

/** What happened to a trial. Single-objective samplers take a number, ParEGO a vector. */
export type TrialOutcome = { readonly status: 'ok'; readonly value: number | readonly number[] } | { readonly status: 'failed'; readonly reason?: string };

/** A trial as the sampler remembers it. */
export interface TrialRecord extends Trial {
  readonly state: 'pending' | 'ok' | 'failed';
  readonly value?: number | readonly number[];
  readonly reason?: string;
}

/** The name of a sampler's snapshot format: a sampler in the registry (registry.ts) that restores it. */
export type SamplerKind = string;

/** JSON snapshot of a sampler; `kind` selects the class, the rest is that class's business. */
export interface SamplerState {
  readonly kind: SamplerKind;
  readonly version: 1;
  readonly space: SpaceSpec;
  readonly [key: string]: unknown;
}

/** Ask/tell. Implementations are deterministic functions of their seed and the sequence of calls. */
export interface Sampler {
  readonly kind: SamplerKind;
  /** Proposes the next trial; never blocks (parallel trials may be outstanding). */
  ask(): Trial;
  /**
   * Reports a trial's outcome. Throws InvalidInputError for an unknown id, a NaN or infinite value,
   * or a second, different outcome; telling the same outcome twice is a no-op (at-least-once delivery).
   */
  tell(trialId: number, outcome: TrialOutcome): void;
  /** Every trial so far, in ask order. */
  trials(): readonly TrialRecord[];
  /** The best completed trial (for multi-fidelity samplers: at the largest budget reached), if any. */
  best(): TrialRecord | undefined;
  /** A complete JSON-safe snapshot. */
  toJSON(): SamplerState;
}
