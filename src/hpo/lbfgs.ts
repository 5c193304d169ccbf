/**
 * Box-constrained limited-memory BFGS (Nocedal, "Updating quasi-Newton matrices with limited storage",
 * Math. Comp. 1980), in a simple projected form: the two-loop recursion gives a direction over the
 * variables that are not held at a bound, and a backtracking Armijo search runs along the projected
 * path. Simpler than L-BFGS-B's Cauchy-point machinery, and enough for the small, smooth problems here
 * (GP hyperparameters: D + 2 variables; acquisition refinement: D variables).
 */

/** Objective value and gradient at x. */
export type ValueAndGrad = (x: Float64Array) => { value: number; grad: Float64Array };

export interface LbfgsOptions {
  readonly maxIter?: number;
  /** History pairs kept. */
  readonly memory?: number;
  /** Stop when the relative decrease of f in one step falls below this. */
  readonly ftol?: number;
  /** Stop when the largest projected-gradient component falls below this. */
  readonly gtol?: number;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
}

function clip(x: Float64Array, lo: ArrayLike<number>, hi: ArrayLike<number>): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(hi[i]!, Math.max(lo[i]!, x[i]!));
  return x;
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** Minimises f over the box [lo, hi] from x0. Non-finite values are treated as +Infinity (rejected steps). */
export function minimizeBox(f: ValueAndGrad, x0: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>, opts: LbfgsOptions = {}): LbfgsResult {
  const maxIter = opts.maxIter ?? 100;
  const m = opts.memory ?? 8;
  const ftol = opts.ftol ?? 1e-10;
  const gtol = opts.gtol ?? 1e-7;
  const n = x0.length;
  let x = clip(Float64Array.from(x0), lo, hi);
  let cur = f(x);
  if (!Number.isFinite(cur.value)) return { x, value: Infinity, iterations: 0 };
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  let it = 0;
  for (; it < maxIter; it++) {
    const g = cur.grad;
    // Variables at a bound whose gradient pushes outward are fixed for this step.
    const free = new Uint8Array(n);
    let pgMax = 0;
    for (let i = 0; i < n; i++) {
      const atLo = x[i]! <= lo[i]! && g[i]! > 0;
      const atHi = x[i]! >= hi[i]! && g[i]! < 0;
      free[i] = atLo || atHi ? 0 : 1;
      if (free[i]) pgMax = Math.max(pgMax, Math.abs(g[i]!));
    }
    if (pgMax < gtol) break;
    // Two-loop recursion on the free subspace.
    const q = Float64Array.from(g, (v, i) => (free[i] ? v : 0));
    const alphas: number[] = [];
    for (let k = S.length - 1; k >= 0; k--) {
      const a = dot(S[k]!, q) / dot(Y[k]!, S[k]!);
      alphas[k] = a;
      for (let i = 0; i < n; i++) q[i] = q[i]! - a * Y[k]![i]!;
    }
    const gamma = S.length > 0 ? dot(S.at(-1)!, Y.at(-1)!) / dot(Y.at(-1)!, Y.at(-1)!) : 1 / Math.max(1, pgMax);
    for (let i = 0; i < n; i++) q[i] = q[i]! * gamma;
    for (let k = 0; k < S.length; k++) {
      const b = dot(Y[k]!, q) / dot(Y[k]!, S[k]!);
      for (let i = 0; i < n; i++) q[i] = q[i]! + S[k]![i]! * (alphas[k]! - b);
    }
    const d = Float64Array.from(q, (v, i) => (free[i] ? -v : 0));
    let slope = dot(d, g);
    if (!(slope < 0)) {
      // Not a descent direction (stale curvature pairs): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      for (let i = 0; i < n; i++) d[i] = free[i] ? -g[i]! / Math.max(1, pgMax) : 0;
      slope = dot(d, g);
    }
    let t = 1;
    let next: { value: number; grad: Float64Array } | undefined;
    let xn = x;
    for (let ls = 0; ls < 40; ls++) {
      xn = clip(
        Float64Array.from(x, (v, i) => v + t * d[i]!),
        lo,
        hi,
      );
      const trial = f(xn);
      // Armijo on the actual (projected) displacement.
      let dec = 0;
      for (let i = 0; i < n; i++) dec += g[i]! * (xn[i]! - x[i]!);
      if (Number.isFinite(trial.value) && trial.value <= cur.value + 1e-4 * Math.min(dec, 0)) {
        next = trial;
        break;
      }
      t *= 0.5;
    }
    if (!next) break;
    const s = Float64Array.from(xn, (v, i) => v - x[i]!);
    const y = Float64Array.from(next.grad, (v, i) => v - g[i]!);
    if (dot(s, y) > 1e-12 * Math.max(1, dot(y, y))) {
      S.push(s);
      Y.push(y);
      if (S.length > m) {
        S.shift();
        Y.shift();
      }
    }
    const improvement = cur.value - next.value;
    x = xn;
    cur = next;
    if (improvement <= ftol * Math.max(1, Math.abs(cur.value))) {
      it++;
      break;
    }
  }
  return { x, value: cur.value, iterations: it };
}
