// Branin observed with Gaussian noise, run through a GpSampler; shared by bench/hpo/noisy-incumbent.ts
// and test/hpo/noisy-incumbent.test.ts. Regrets are of the true (noise-free) function.
import { GpSampler, branin, type Params } from '../../src/hpo';
import { rngFor } from '../../src/random';

const trueRegret = (p: Params) => branin.f([p.x0 as number, p.x1 as number]) - branin.optimum;

export interface NoisyRun {
  /** True regret of the trial with the lowest observation (`best()` by default). */
  readonly observed: number;
  /** True regret of `bestByPosteriorMean()`. */
  readonly posteriorMean: number;
  /** True regret of the best trial evaluated (what an oracle would report). */
  readonly bestEvaluated: number;
}

/** `evals` sequential trials with noise of standard deviation `sigma`, drawn per (seed, trial). */
export function runNoisyBranin(seed: number, sigma: number, evals: number): NoisyRun {
  const s = new GpSampler(branin.space, { seed });
  for (let i = 0; i < evals; i++) {
    const t = s.ask();
    const r = rngFor(seed, 0x9015e, t.trialId);
    const z = Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next()); // Box-Muller
    s.tell(t.trialId, { status: 'ok', value: trueRegret(t.params) + branin.optimum + sigma * z });
  }
  return {
    observed: trueRegret(s.best()!.params),
    posteriorMean: trueRegret(s.bestByPosteriorMean()!.trial.params),
    bestEvaluated: Math.min(...s.trials().map((r) => trueRegret(r.params))),
  };
}
