/**
 * Standard synthetic benchmarks with known global minima (Dixon & Szego, "The global optimisation
 * problem", 1978; constants as tabulated in Surjanovic & Bingham's Virtual Library of Simulation
 * Experiments), with their search spaces, for tests and benchmarks of the samplers.
 */
import type { Params, SpaceSpec } from './space';

/** A minimisation benchmark. */
export interface TestFunction {
  readonly name: string;
  readonly space: SpaceSpec;
  readonly optimum: number;
  readonly minimizers: readonly (readonly number[])[];
  /** Evaluates at a params assignment from `space` (parameters x0, x1, ...). */
  readonly evaluate: (p: Params) => number;
  /** Evaluates at a plain coordinate vector. */
  readonly f: (x: readonly number[]) => number;
}

function unitSpace(d: number): SpaceSpec {
  return Object.fromEntries(Array.from({ length: d }, (_, i) => [`x${i}`, { type: 'float', low: 0, high: 1 } as const]));
}

function wrap(name: string, space: SpaceSpec, optimum: number, minimizers: number[][], f: (x: readonly number[]) => number): TestFunction {
  const d = Object.keys(space).length;
  return { name, space, optimum, minimizers, f, evaluate: (p) => f(Array.from({ length: d }, (_, i) => p[`x${i}`] as number)) };
}

/** Branin-Hoo on [-5, 10] x [0, 15]; three global minima of 0.397887. */
export const branin: TestFunction = wrap(
  'branin',
  { x0: { type: 'float', low: -5, high: 10 }, x1: { type: 'float', low: 0, high: 15 } },
  0.39788735772973816,
  [
    [-Math.PI, 12.275],
    [Math.PI, 2.275],
    [9.42478, 2.475],
  ],
  ([x1, x2]) => {
    const b = 5.1 / (4 * Math.PI * Math.PI);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2! - b * x1! * x1! + c * x1! - 6) ** 2 + 10 * (1 - t) * Math.cos(x1!) + 10;
  },
);

function hartmann(alpha: number[], A: number[][], P: number[][]): (x: readonly number[]) => number {
  return (x) => {
    let s = 0;
    for (let i = 0; i < 4; i++) {
      let e = 0;
      for (let j = 0; j < x.length; j++) e += A[i]![j]! * (x[j]! - P[i]![j]!) ** 2;
      s += alpha[i]! * Math.exp(-e);
    }
    return -s;
  };
}

const ALPHA = [1.0, 1.2, 3.0, 3.2];

/** Hartmann-3 on [0, 1]^3; global minimum -3.86278. */
export const hartmann3: TestFunction = wrap(
  'hartmann3',
  unitSpace(3),
  -3.86278214782076,
  [[0.114614, 0.555649, 0.852547]],
  hartmann(
    ALPHA,
    [
      [3, 10, 30],
      [0.1, 10, 35],
      [3, 10, 30],
      [0.1, 10, 35],
    ],
    [
      [0.3689, 0.117, 0.2673],
      [0.4699, 0.4387, 0.747],
      [0.1091, 0.8732, 0.5547],
      [0.03815, 0.5743, 0.8828],
    ],
  ),
);

/** Hartmann-6 on [0, 1]^6; global minimum -3.32237. */
export const hartmann6: TestFunction = wrap(
  'hartmann6',
  unitSpace(6),
  -3.322368011415515,
  [[0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573]],
  hartmann(
    ALPHA,
    [
      [10, 3, 17, 3.5, 1.7, 8],
      [0.05, 10, 17, 0.1, 8, 14],
      [3, 3.5, 1.7, 10, 17, 8],
      [17, 8, 0.05, 10, 0.1, 14],
    ],
    [
      [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
      [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
      [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
      [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
    ],
  ),
);
