/**
 * The model of BOHB (Falkner, Klein & Hutter, "BOHB: Robust and Efficient Hyperparameter Optimization
 * at Scale", ICML 2018, Algorithm 2): a tree-Parzen-style density ratio (Bergstra et al., NeurIPS 2011).
 *
 * Take the largest budget with at least nMin + 2 results; split its results into the best
 * max(nMin, q N) ("good") and the rest (at least nMin, "bad"); fit product kernel density estimates
 * l(x) and g(x); draw candidates from l with bandwidths widened by `bandwidthFactor`; return the one
 * maximising l(x) / g(x). A fraction `randomFraction` of proposals is uniform random, which keeps
 * BOHB's worst case within a constant of Hyperband's.
 *
 * Per parameter, floats and ints use a Gaussian kernel on the [0, 1] feature scale with the normal
 * reference bandwidth 1.06 sd n^(-1/5) (floored at `minBandwidth`); categoricals use the
 * Aitchison-Aitken kernel with weight 1 - lambda on the observed choice.
 */
import type { Prng } from '../random';
import type { Direction, TrialRecord } from './sampler';
import type { Params, Space } from './space';

export interface BohbModelOptions {
  /** Minimum points per KDE; default: number of parameters + 1. */
  readonly minPointsInModel?: number;
  /** Fraction of results counted as good, default 0.15. */
  readonly topFraction?: number;
  readonly numSamples?: number;
  readonly randomFraction?: number;
  readonly bandwidthFactor?: number;
  readonly minBandwidth?: number;
}

/** One coordinate per parameter: the feature value for floats/ints, the choice index for categoricals. */
function coords(space: Space, p: Params): number[] {
  const f = space.toFeatures(p);
  return space.dims.map((d) => {
    if (d.spec.type !== 'categorical') return f[d.offset]!;
    for (let k = 0; k < d.width; k++) if (f[d.offset + k] === 1) return k;
    return 0;
  });
}

function fromCoords(space: Space, c: readonly number[]): Params {
  const f = new Array<number>(space.featureDim).fill(0);
  space.dims.forEach((d, i) => {
    if (d.spec.type === 'categorical') f[d.offset + c[i]!] = 1;
    else f[d.offset] = c[i]!;
  });
  return space.fromFeatures(f);
}

interface Kde {
  readonly points: number[][];
  readonly bw: number[];
}

function fitKde(space: Space, points: number[][], minBw: number): Kde {
  const n = points.length;
  const bw = space.dims.map((d, i) => {
    if (d.spec.type === 'categorical') return Math.max(minBw, Math.min(1 - 1 / d.width, n ** -0.2 / 2));
    const m = points.reduce((a, p) => a + p[i]!, 0) / n;
    const sd = Math.sqrt(points.reduce((a, p) => a + (p[i]! - m) ** 2, 0) / Math.max(1, n - 1));
    return Math.max(minBw, 1.06 * sd * n ** -0.2);
  });
  return { points, bw };
}

function logDensity(space: Space, kde: Kde, x: readonly number[]): number {
  let max = -Infinity;
  const logs = kde.points.map((p) => {
    let s = 0;
    space.dims.forEach((d, i) => {
      const h = kde.bw[i]!;
      if (d.spec.type === 'categorical') s += Math.log(p[i] === x[i] ? 1 - h : h / (d.width - 1 || 1));
      else s += -0.5 * ((x[i]! - p[i]!) / h) ** 2 - Math.log(h);
    });
    max = Math.max(max, s);
    return s;
  });
  return max + Math.log(logs.reduce((a, l) => a + Math.exp(l - max), 0) / logs.length);
}

/** A BOHB proposal given every trial so far. */
export function proposeBohb(space: Space, rng: Prng, history: readonly TrialRecord[], direction: Direction, opts: BohbModelOptions = {}): Params {
  const random = () => space.fromCube(space.dims.map(() => rng.float()));
  if (rng.float() < (opts.randomFraction ?? 1 / 3)) return random();
  const nMin = opts.minPointsInModel ?? space.dims.length + 1;
  const byBudget = new Map<number, TrialRecord[]>();
  for (const r of history) {
    if (r.state !== 'ok') continue;
    const b = r.budget ?? 0;
    const list = byBudget.get(b);
    if (list) list.push(r);
    else byBudget.set(b, [r]);
  }
  const budgets = [...byBudget.keys()].filter((b) => byBudget.get(b)!.length >= nMin + 2).sort((a, b) => b - a);
  if (budgets.length === 0) return random();
  const sign = direction === 'minimize' ? 1 : -1;
  const obs = byBudget
    .get(budgets[0]!)!
    .slice()
    .sort((a, b) => sign * ((a.value as number) - (b.value as number)) || a.trialId - b.trialId);
  const nGood = Math.max(nMin, Math.floor((opts.topFraction ?? 0.15) * obs.length));
  const nBad = Math.max(nMin, obs.length - nGood);
  const minBw = opts.minBandwidth ?? 1e-3;
  const good = fitKde(
    space,
    obs.slice(0, nGood).map((r) => coords(space, r.params)),
    minBw,
  );
  const bad = fitKde(
    space,
    obs.slice(obs.length - nBad).map((r) => coords(space, r.params)),
    minBw,
  );
  const factor = opts.bandwidthFactor ?? 3;
  let best: number[] | undefined;
  let bestScore = -Infinity;
  for (let s = 0; s < (opts.numSamples ?? 64); s++) {
    const centre = good.points[rng.int(good.points.length)]!;
    const x = space.dims.map((d, i) => {
      const h = good.bw[i]! * factor;
      if (d.spec.type === 'categorical') {
        if (rng.float() >= Math.min(h, 1 - 1 / d.width)) return centre[i]!;
        return rng.int(d.width);
      }
      // Truncated normal by rejection; clipping after 10 misses keeps the loop bounded.
      for (let k = 0; k < 10; k++) {
        const v = centre[i]! + h * rng.normal();
        if (v >= 0 && v <= 1) return v;
      }
      return Math.min(1, Math.max(0, centre[i]!));
    });
    const score = logDensity(space, good, x) - logDensity(space, bad, x);
    if (score > bestScore) {
      bestScore = score;
      best = x;
    }
  }
  return best ? fromCoords(space, best) : random();
}
