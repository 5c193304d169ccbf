// Failure scenarios shared by bench/hpo/failures.ts and test/hpo/failures.test.ts: a test function
// whose trials fail either at random or inside a region, run through a GpSampler.
import { GpSampler, type GpSamplerOptions, type TestFunction } from '../../src/hpo';
import { rngFor } from '../../src/random';

export type FailureScenario = 'random' | 'region';

export const SCENARIOS: Record<
  FailureScenario,
  { description: string; fails: (seed: number, trialId: number, x: readonly number[]) => boolean; inRegion: (x: readonly number[]) => boolean }
> = {
  // A draw per (seed, trial), independent of the sampler and of x: a lost node.
  random: { description: '10% of trials fail at random, independent of x', fails: (seed, id) => rngFor(seed, 0xfa11, id).next() < 0.1, inRegion: () => false },
  // Branin's x0 in [-5, 10]: the top tenth fails (it holds one of the three global minima).
  region: { description: 'every trial with x0 > 8.5 fails', fails: (_s, _id, x) => x[0]! > 8.5, inRegion: (x) => x[0]! > 8.5 },
};

export interface FailureRun {
  /** Evaluations (failed ones included) until regret <= 1e-3, if reached. */
  readonly hit: number | undefined;
  /** Regret of the best successful trial at the end. */
  readonly regret: number;
  readonly failures: number;
  readonly inRegion: number;
  readonly evaluations: number;
}

/** Runs `evals` sequential trials; with `stopAtHit` it stops once regret <= 1e-3 (for fast tests). */
export function runWithFailures(fn: TestFunction, scenario: FailureScenario, options: GpSamplerOptions, evals: number, stopAtHit = false): FailureRun {
  const sc = SCENARIOS[scenario];
  const s = new GpSampler(fn.space, options);
  const d = Object.keys(fn.space).length;
  let best = Infinity;
  let hit: number | undefined;
  let failures = 0;
  let inRegion = 0;
  let i = 0;
  for (; i < evals && !(stopAtHit && hit !== undefined); i++) {
    const t = s.ask();
    const x = Array.from({ length: d }, (_, j) => t.params[`x${j}`] as number);
    if (sc.inRegion(x)) inRegion++;
    if (sc.fails(options.seed, t.trialId, x)) {
      failures++;
      s.tell(t.trialId, { status: 'failed', reason: scenario });
      continue;
    }
    const v = fn.f(x);
    s.tell(t.trialId, { status: 'ok', value: v });
    best = Math.min(best, v);
    if (hit === undefined && best - fn.optimum <= 1e-3) hit = i + 1;
  }
  return { hit, regret: best - fn.optimum, failures, inRegion, evaluations: i };
}
