/**
 * Maximises log expected improvement over the feature cube, kept apart from both the GP and the
 * sampler (botorch's split of model, acquisition and optimiser).
 *
 * 1. Score a space-filling set (a freshly shifted Sobol sample) plus local perturbations of the best
 *    observed points; late in a run EI's mass sits in small regions near the incumbents, which a
 *    uniform sample of a few thousand points misses in 6 or more dimensions.
 * 2. Refine the best few candidates with bounded L-BFGS on analytic gradients of log EI over the
 *    continuous (float and int) columns, one-hot columns held fixed.
 * 3. Project every result onto the valid set (ints rounded, one-hot arg-max) and re-score, so the
 *    chosen point is one that can actually be run.
 */
import type { GaussianProcess } from './gp';
import { minimizeBox } from './lbfgs';
import { logEiWithGrad, logExpectedImprovement } from './log-ei';
import type { Prng } from '../random';
import { SOBOL_MAX_DIM, SobolSequence } from './sobol';
import type { Space } from './space';

export interface AcquisitionOptions {
  readonly nCandidates: number;
  /** Perturbations around each of the top observed points. */
  readonly nLocalPerIncumbent: number;
  readonly nIncumbents: number;
  /** Candidates refined by L-BFGS. */
  readonly nRefine: number;
  /**
   * 'log-ei' (default) or 'posterior-mean': minimise the GP mean instead, a purely exploiting step
   * (see GpSamplerOptions.exploitEvery).
   */
  readonly criterion?: 'log-ei' | 'posterior-mean';
}

/**
 * Two feature vectors closer than this in every column count as the same point. Re-evaluating a point
 * of a deterministic objective teaches the GP nothing, and a GP that is overconfident enough to want
 * that would want it again forever; 1e-5 of the range is far below any useful resolution.
 */
export const DUPLICATE_TOLERANCE = 1e-5;

function isNear(a: readonly number[], b: readonly number[]): boolean {
  for (let j = 0; j < a.length; j++) if (Math.abs(a[j]! - b[j]!) > DUPLICATE_TOLERANCE) return false;
  return true;
}

/**
 * log P(a trial at x succeeds) (see gp-classifier.ts). With it the acquisition becomes
 * log EI(x) + log P(ok | x), i.e. EI weighted by the probability of success; the greedy step
 * maximises -mean(x) + log P(ok | x), i.e. exp(-mean) P(ok).
 */
export interface Feasibility {
  logPOk(xs: readonly (readonly number[])[]): Float64Array;
  logPOkWithGrad(x: readonly number[]): { value: number; grad: Float64Array };
}

export interface AcquisitionResult {
  readonly features: number[];
  readonly logEi: number;
}

function scoreAll(gp: GaussianProcess, xs: number[][], best: number, criterion: 'log-ei' | 'posterior-mean', feasibility?: Feasibility): Float64Array {
  const { mean, variance } = gp.predict(xs);
  const logOk = feasibility ? feasibility.logPOk(xs) : new Float64Array(xs.length);
  if (criterion === 'posterior-mean') return Float64Array.from(mean, (m, i) => -m + logOk[i]!);
  return Float64Array.from(mean, (m, i) => logExpectedImprovement(m, Math.sqrt(variance[i]!), best) + logOk[i]!);
}

/**
 * Finds a feature vector maximising log EI for minimisation below `best` (standardised units).
 * `incumbents` are observed feature vectors ordered best first. Points within
 * {@link DUPLICATE_TOLERANCE} of `avoid` (trials already run or running) are never returned; if every
 * candidate is such a point the result is undefined and the caller should explore instead. With
 * `feasibility` the criterion is weighted by the probability that a trial succeeds.
 */
export function maximizeLogEi(
  gp: GaussianProcess,
  space: Space,
  best: number,
  incumbents: readonly (readonly number[])[],
  rng: Prng,
  opts: AcquisitionOptions,
  avoid: readonly (readonly number[])[] = [],
  feasibility?: Feasibility,
): AcquisitionResult | undefined {
  const D = space.featureDim;
  const cands: number[][] = [];
  if (D <= SOBOL_MAX_DIM) {
    const sobol = SobolSequence.create(D, rng);
    for (let i = 0; i < opts.nCandidates; i++) cands.push(space.project(sobol.next()));
  } else {
    for (let i = 0; i < opts.nCandidates; i++) cands.push(space.project(Array.from({ length: D }, () => rng.float())));
  }
  const mask = space.continuousMask();
  const scales = [0.2, 0.05, 0.01, 0.002];
  for (const inc of incumbents.slice(0, opts.nIncumbents)) {
    for (let i = 0; i < opts.nLocalPerIncumbent; i++) {
      const sd = scales[i % scales.length]!;
      const x = inc.map((v, j) => (mask[j] ? Math.min(1, Math.max(0, v + sd * rng.normal())) : v));
      // Occasionally jump a categorical to a random choice so local search can cross categories.
      for (const d of space.dims) {
        if (d.spec.type === 'categorical' && rng.float() < 0.2) {
          for (let k = 0; k < d.width; k++) x[d.offset + k] = 0;
          x[d.offset + rng.int(d.width)] = 1;
        }
      }
      cands.push(space.project(x));
    }
  }
  const criterion = opts.criterion ?? 'log-ei';
  const scores = scoreAll(gp, cands, best, criterion, feasibility);
  const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const starts: number[][] = [];
  const seen = new Set<string>();
  for (const i of order) {
    const key = cands[i]!.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    starts.push(cands[i]!);
    if (starts.length >= opts.nRefine) break;
  }
  const free = mask.flatMap((m, j) => (m ? [j] : []));
  const refined: number[][] = [];
  if (free.length > 0) {
    for (const s of starts) {
      const full = [...s];
      const negLogEi = (z: Float64Array) => {
        for (let k = 0; k < free.length; k++) full[free[k]!] = z[k]!;
        const p = gp.predictWithGrad(full);
        const sigma = Math.sqrt(p.variance);
        const grad = new Float64Array(free.length);
        const ok = feasibility?.logPOkWithGrad(full);
        if (criterion === 'posterior-mean') {
          for (let k = 0; k < free.length; k++) grad[k] = p.dMean[free[k]!]! - (ok ? ok.grad[free[k]!]! : 0);
          return { value: p.mean - (ok ? ok.value : 0), grad };
        }
        const g = logEiWithGrad(p.mean, sigma, best);
        for (let k = 0; k < free.length; k++) {
          const j = free[k]!;
          grad[k] = -(g.dMean * p.dMean[j]! + (g.dSigma * p.dVariance[j]!) / (2 * sigma)) - (ok ? ok.grad[j]! : 0);
        }
        const value = g.value + (ok ? ok.value : 0);
        return { value: Number.isFinite(value) ? -value : Infinity, grad };
      };
      const r = minimizeBox(
        negLogEi,
        free.map((j) => s[j]!),
        new Array(free.length).fill(0),
        new Array(free.length).fill(1),
        { maxIter: 50, ftol: 1e-12, gtol: 1e-9 },
      );
      const out = [...s];
      free.forEach((j, k) => (out[j] = r.x[k]!));
      refined.push(space.project(out));
    }
  }
  const fresh = (x: readonly number[]) => !avoid.some((a) => isNear(a, x));
  const finals = [...starts, ...refined].filter(fresh);
  // Fall back to the rest of the scored candidates, best first, before giving up.
  if (finals.length === 0) {
    const next = order.find((i) => fresh(cands[i]!));
    if (next === undefined) return undefined;
    finals.push(cands[next]!);
  }
  const finalScores = scoreAll(gp, finals, best, criterion, feasibility);
  let bi = 0;
  for (let i = 1; i < finals.length; i++) if (finalScores[i]! > finalScores[bi]!) bi = i;
  return { features: finals[bi]!, logEi: finalScores[bi]! };
}
