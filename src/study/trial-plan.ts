/**
 * How a proposal becomes the engine configs of one trial: the one place where NAS hyperparameters
 * meet engine settings, units included (Katib's trialParameters, as a pure function).
 *
 * - `lambda`, `thresholdLrMultiplier`, `runtimeLoss`: copied as they are (engine units).
 * - `targetFraction`: times the largest network's predicted latency on the study's table.
 * - `warmupFraction`: times the search epochs, rounded to whole epochs (so warm-ups can be shared),
 *   at least 1 and leaving at least part of an epoch of search.
 * - any other parameter name is a dotted path into the search config (e.g. `optimizer.lrPer256`).
 * The retraining config is `budget.retrain`, on top of the recipe it names (if any).
 * Fidelity (multi-fidelity samplers: budget / maxBudget, else 1) scales the search epochs after the
 * warm-up and the retraining epochs; the warm-up is the same at every fidelity.
 */
import type { SearchConfigInput } from '../config/training-config';
import type { Params } from '../hpo/space';
import { studyRetrainConfig } from './retrain-config';
import type { StudySpec } from './spec';

const KNOWN = new Set(['lambda', 'thresholdLrMultiplier', 'runtimeLoss', 'targetFraction', 'warmupFraction']);

export interface TrialPlan {
  /** Search config input (validated by the engine's schema when the search runs: a tuned dotted path may name any field). */
  search: SearchConfigInput;
  /** Retraining config input of the trial. */
  retrain: Record<string, unknown>;
  warmupEpochs: number;
  /** Target latency in ms for 'mnas' / 'hinge' (also recorded for 'log', where it is unused). */
  targetMs: number;
  /** A promotion retrains from scratch (budget.promotedRetraining 'restart'); absent: it continues the lower rung's retraining. */
  restartRetraining?: true;
}

function setPath(o: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = o;
  for (const k of parts.slice(0, -1)) {
    const next = cur[k];
    cur = cur[k] = typeof next === 'object' && next !== null ? { ...(next as Record<string, unknown>) } : {};
  }
  cur[parts[parts.length - 1]!] = value;
}

/** Warm-up epochs of a trial: the tuned fraction of the search epochs, or the spec's fixed value. */
export function warmupEpochsFor(spec: StudySpec, params: Params): number {
  const f = params.warmupFraction;
  const e = spec.budget.searchEpochs;
  if (typeof f !== 'number') return spec.budget.warmupEpochs;
  return Math.max(1, Math.min(Math.ceil(e) - 1, Math.round(f * e)));
}

/** Retraining epochs at a fidelity (at least a tenth of an epoch, so a step or more runs). */
export function retrainEpochsAt(spec: StudySpec, fidelity: number): number {
  return Math.max(0.1, spec.budget.retrainEpochs * fidelity);
}

export function planTrial(spec: StudySpec, params: Params, largestMs: number, fidelity = 1): TrialPlan {
  if (!(fidelity > 0 && fidelity <= 1)) throw new RangeError(`fidelity must be in (0, 1], got ${fidelity}`);
  const warmupEpochs = warmupEpochsFor(spec, params);
  const targetMs = (typeof params.targetFraction === 'number' ? params.targetFraction : spec.objectives.latencyTargetFraction) * largestMs;
  const kind = typeof params.runtimeLoss === 'string' ? params.runtimeLoss : 'log';
  const search: Record<string, unknown> = {
    ...spec.budget.search,
    seed: spec.budget.seed,
    batchSize: spec.budget.batchSize,
    warmupEpochs,
    epochs: warmupEpochs + fidelity * (spec.budget.searchEpochs - warmupEpochs),
    runtimeLoss: {
      ...((spec.budget.search.runtimeLoss as object | undefined) ?? {}),
      kind,
      ...(typeof params.lambda === 'number' ? { lambda: params.lambda } : {}),
      ...(kind === 'log' ? {} : { targetMs }),
    },
    ...(typeof params.thresholdLrMultiplier === 'number' ? { thresholdLrMultiplier: params.thresholdLrMultiplier } : {}),
  };
  for (const [name, value] of Object.entries(params)) if (!KNOWN.has(name)) setPath(search, name, value);
  const retrain = { ...studyRetrainConfig(spec.budget.retrain, spec.budget.batchSize), seed: spec.budget.seed, epochs: retrainEpochsAt(spec, fidelity) };
  return {
    search: search as SearchConfigInput,
    retrain,
    warmupEpochs,
    targetMs,
    ...(spec.budget.promotedRetraining === 'restart' ? { restartRetraining: true as const } : {}),
  };
}
