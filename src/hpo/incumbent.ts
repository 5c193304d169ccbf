/**
 * The incumbent of a noisy objective: the evaluated trial with the best GP posterior mean rather than
 * the lowest observation. Under noise the lowest observation is the luckiest draw, biased low, not the
 * best point; the posterior mean pools each trial with its neighbours (BoTorch recommends the same
 * "best in-sample posterior mean" for noisy problems).
 *
 * The GP's hyperparameters are fitted afresh on every completed trial, not taken from the sampler's
 * last proposal: that fit warm-starts from earlier, smaller histories with one restart, and on noisy
 * Branin (sd 0.1, 60 evaluations, 10 seeds) a fresh fit picked better trials. Fitting on only the best
 * third or half of the trials (a local model around the optimum) was worse, because Branin's three
 * equal minima leave too few points per basin. bench/hpo/noisy-incumbent.ts has the numbers. The fit
 * draws from its own PRNG seeded from the study's seed, so asking for the incumbent never changes what
 * a sampler proposes.
 */
import { Prng } from '../random';
import { GaussianProcess } from './gp';
import { fitGpHyperparameters } from './gp-fit';
import { warpedNoise } from './known-noise';
import { warpOutputs } from './output-transform';
import type { TrialRecord } from './sampler';
import type { Space } from './space';

export interface PosteriorIncumbent {
  readonly trial: TrialRecord;
  /** The model's estimate of the trial's objective value, in the objective's units. */
  readonly mean: number;
}

export interface IncumbentOptions {
  readonly seed: number;
  /** 1 to minimise, -1 to maximise. */
  readonly sign: 1 | -1;
  readonly outputTransform: 'standardize' | 'yeo-johnson';
  /** Above this many trials the hyperparameters are fitted on a subset (gp-fit.ts). */
  readonly maxFitPoints: number;
}

/** The trial among `ok` (completed, scalar values) whose posterior mean is best. */
export function posteriorMeanIncumbent(space: Space, ok: readonly TrialRecord[], o: IncumbentOptions): PosteriorIncumbent | undefined {
  if (ok.length === 0) return undefined;
  const y = ok.map((r) => o.sign * (r.value as number));
  if (ok.length < 3) {
    const i = y[1] !== undefined && y[1] < y[0]! ? 1 : 0;
    return { trial: ok[i]!, mean: o.sign * y[i]! };
  }
  const X = ok.map((r) => space.toFeatures(r.params));
  const warped = warpOutputs(y, o.outputTransform);
  // known noise (a top-1's binomial variance) pools a poorly measured trial harder with its neighbours
  const noise = warpedNoise(
    ok.map((r) => r.variance),
    warped.slopes,
  );
  const hyper = fitGpHyperparameters(X, warped.values, {
    rng: Prng.fromSeed(o.seed),
    restarts: 3,
    maxFitPoints: o.maxFitPoints,
    ...(noise ? { knownNoise: noise } : {}),
  });
  const mean = new GaussianProcess(X, warped.values, hyper, noise).predict(X).mean;
  let bi = 0;
  for (let i = 1; i < ok.length; i++) if (mean[i]! < mean[bi]!) bi = i;
  return { trial: ok[bi]!, mean: o.sign * warped.unwarp(mean[bi]!) };
}
