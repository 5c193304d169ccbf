/**
 * The search's decision dynamics without the network: thresholds driven by the runtime term alone,
 * against fixed relative group norms (the cross-entropy's gradient on the thresholds is ~100x smaller
 * in short searches: measured, docs/engine.md "Search dynamics"). Each step does exactly what the
 * engine's thresholds-only runtime path does:
 *   d_g = 1(n_g - t_g >= 0);   R = the table's formula at d;   g_g = -lambda f'(R) dR/dd_g sigmoid'((n_g - t_g)/tau)/tau
 * and updates t_g by the chosen rule ('sgd': t -= lr * gain * g; 'rmsprop': the reference's per-threshold
 * RMSProp with momentum). Seconds instead of hours per design point, so the design choices (update
 * rule, threshold start, temperature, lambda) can be compared on every table and target; the real
 * runs (target-hit.ts) then confirm the chosen one.
 *
 *   node --import tsx bench/nas/threshold-sim.ts [--out bench/nas/results/threshold-sim.json]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getPreset } from '../../src/space/presets';
import { layoutOf } from '../../src/space/layers';
import type { SearchSpace } from '../../src/space/spec';
import { defaultTableFor } from '../../src/latency/default-tables';
import type { LatencyTable } from '../../src/latency/latency-table';
import { latencyRange } from '../../src/latency/latency-range';
import { totalRuntime, type LayerIndicators } from '../../src/latency/runtime-model';
import { pixel1ShapedTable } from '../../src/latency/pixel1-table';
import { mulberry32 } from '../../src/random';
import { limitFlips } from '../../src/nas/flip-limit';
import { argMap, ROOT } from './common';

type Key = 'd5x5' | 'd50c' | 'd100c' | 'dse';
const KEYS: Key[] = ['d5x5', 'd50c', 'd100c', 'dse'];

export interface SimDesign {
  update: 'sgd' | 'rmsprop';
  /** sgd: threshold step = lr * gain * gradient. */
  gain: number;
  /** Threshold value at the start of the search phase. */
  t0: number;
  /** Surrogate temperature. */
  tau: number;
  /**
   * The runtime term's gradient on an indicator: 'local' = f'(R) dR/dd (autodiff), 'flip' = the exact
   * change of the term when that decision flips, f(R with d = 1) - f(R with d = 0).
   */
  grad?: 'local' | 'flip' | 'flip-to-target';
  /** At most this many decisions flip per update (src/nas/flip-limit.ts, the engine's maxFlipsPerStep). */
  maxFlips?: number;
}

export interface SimCase {
  space: SearchSpace;
  table: LatencyTable;
  loss: 'log' | 'mnas' | 'hinge';
  lambda: number;
  targetMs?: number;
  steps: number;
  /** Learning rate per step (lrPer256 * batch / 256). */
  lr: number;
  /** Relative norms per layer after the warm-up. */
  norms: Array<Record<Key, number>>;
}

export interface SimResult {
  finalMs: number;
  /** Steps at which R changed and its new value. */
  flips: Array<[number, number]>;
  curve: number[];
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/** dR/dd for one layer at indicators d (the formula's partial derivatives). */
function partials(row: LatencyTable['layers'][number], d: Record<Key, number>): Record<Key, number> {
  const rho = row.k3e6 / row.k5e6;
  const kScale = rho + (1 - rho) * d.d5x5;
  const base = row.k5e3 + d.d100c * (row.k5e6 - row.k5e3);
  const se = row.se ? row.se.e3 + d.d100c * (row.se.e6 - row.se.e3) : 0;
  return {
    d5x5: d.d50c * base * (1 - rho),
    d50c: base * kScale + d.dse * se,
    d100c: d.d50c * (row.k5e6 - row.k5e3) * kScale + (row.se ? d.dse * d.d50c * (row.se.e6 - row.se.e3) : 0),
    dse: d.d50c * se,
  };
}

export function simulate(c: SimCase, design: SimDesign): SimResult {
  const layout = layoutOf(c.space);
  const has = (i: number, k: Key) => (k === 'd50c' ? layout.searchable[i]!.skipAllowed : k === 'dse' ? c.space.search.se : true);
  const t = c.norms.map(() => ({ d5x5: design.t0, d50c: design.t0, d100c: design.t0, dse: design.t0 }));
  const ms = c.norms.map(() => ({ d5x5: 0, d50c: 0, d100c: 0, dse: 0 }));
  const mom = c.norms.map(() => ({ d5x5: 0, d50c: 0, d100c: 0, dse: 0 }));
  const curve: number[] = [];
  const flips: Array<[number, number]> = [];
  const indicators = () =>
    c.norms.map((n, i) => Object.fromEntries(KEYS.map((k) => [k, has(i, k) ? (n[k] - t[i]![k] >= 0 ? 1 : 0) : k === 'dse' ? 0 : 1])) as Record<Key, number>);
  for (let s = 0; s < c.steps; s++) {
    const d = indicators();
    const R = totalRuntime(c.table, d as unknown as LayerIndicators[]);
    if (curve.length && R !== curve[curve.length - 1]) flips.push([s, R]);
    curve.push(R);
    const T = c.targetMs ?? R;
    const f = (r: number) => (c.loss === 'log' ? Math.log(r) : c.loss === 'mnas' ? Math.max(0, Math.log(r / T)) : Math.max(0, r / T - 1));
    const fPrime = c.loss === 'log' ? 1 / R : c.loss === 'mnas' ? (R > T ? 1 / R : 0) : R > T ? 1 / T : 0;
    const flat = () => t.flatMap((row) => KEYS.map((k) => row[k]));
    const before = flat();
    c.norms.forEach((n, i) => {
      const p = partials(c.table.layers[i]!, d[i]!);
      for (const k of KEYS) {
        if (!has(i, k)) continue;
        const x = (n[k] - t[i]![k]) / design.tau;
        // 'flip-to-target': the change of the distance to the target on both sides (runtime-loss.ts)
        const dist = (r: number) => (c.loss === 'hinge' ? Math.abs(r / T - 1) : Math.abs(Math.log(r / T)));
        const m = design.grad === 'flip-to-target' && c.loss !== 'log' ? dist : f;
        const dL = design.grad === 'flip' || design.grad === 'flip-to-target' ? m(R + (1 - d[i]![k]) * p[k]) - m(R - d[i]![k] * p[k]) : fPrime * p[k];
        const g = (-c.lambda * dL * (sig(x) * (1 - sig(x)))) / design.tau;
        if (design.update === 'sgd') t[i]![k] -= c.lr * design.gain * g;
        else {
          ms[i]![k] = 0.9 * ms[i]![k] + 0.1 * g * g;
          mom[i]![k] = 0.9 * mom[i]![k] + (c.lr * g) / Math.sqrt(ms[i]![k] + 1e-3);
          t[i]![k] -= mom[i]![k];
        }
      }
    });
    if (design.maxFlips) {
      const kept = limitFlips(
        before,
        flat(),
        c.norms.flatMap((n) => KEYS.map((k) => n[k])),
        design.maxFlips,
      );
      t.forEach((row, i) => KEYS.forEach((k, j) => (row[k] = kept[4 * i + j]!)));
    }
  }
  const R = totalRuntime(c.table, indicators() as unknown as LayerIndicators[]);
  if (R !== curve[curve.length - 1]) flips.push([c.steps, R]);
  return { finalMs: R, flips, curve };
}

/** Relative norms after a warm-up: 1 plus a small spread, larger in early layers (as measured on cifar-small). */
export function syntheticNorms(space: SearchSpace, seed: number): Array<Record<Key, number>> {
  const rnd = mulberry32(seed);
  const L = layoutOf(space).searchable.length;
  return Array.from({ length: L }, (_, i) => {
    const depth = 1 - i / Math.max(1, L - 1);
    const g = () => 1 + 0.06 * depth * rnd() + 0.005 * (rnd() - 0.5);
    return { d5x5: g(), d50c: g(), d100c: g(), dse: 1 + 0.005 * (rnd() - 0.5) };
  });
}

if (require.main === module) {
  const a = argMap(process.argv.slice(2));
  const out = path.resolve(ROOT, a.out ?? 'bench/nas/results/threshold-sim.json');
  const designs: Record<string, SimDesign> = {
    'rmsprop (reference), t0 0': { update: 'rmsprop', gain: 1, t0: 0, tau: 1 },
    'sgd gain 10, t0 0': { update: 'sgd', gain: 10, t0: 0, tau: 1 },
    'sgd gain 10, t0 0.8': { update: 'sgd', gain: 10, t0: 0.8, tau: 1 },
    'sgd gain 10, t0 0.8, tau 0.1': { update: 'sgd', gain: 10, t0: 0.8, tau: 0.1 },
    'sgd gain 10, t0 0, flip': { update: 'sgd', gain: 10, t0: 0, tau: 1, grad: 'flip' },
    'sgd gain 10, t0 0.8, flip': { update: 'sgd', gain: 10, t0: 0.8, tau: 1, grad: 'flip' },
    'sgd gain 10, t0 0, flip, 1 flip per step': { update: 'sgd', gain: 10, t0: 0, tau: 1, grad: 'flip', maxFlips: 1 },
    'sgd gain 10, t0 0, flip-to-target': { update: 'sgd', gain: 10, t0: 0, tau: 1, grad: 'flip-to-target' },
    'sgd gain 10, t0 0, flip-to-target, 1 flip per step': { update: 'sgd', gain: 10, t0: 0, tau: 1, grad: 'flip-to-target', maxFlips: 1 },
  };
  const rows: unknown[] = [];
  for (const spaceName of ['cifar-small', 'cifar']) {
    const space = getPreset(spaceName);
    for (const [tableName, table] of [
      ['shipped', defaultTableFor(space)],
      ['pixel1-shaped', pixel1ShapedTable(space)],
    ] as const) {
      const range = latencyRange(space, table);
      for (const loss of ['mnas', 'hinge'] as const) {
        for (const frac of [0.5, 0.7, 0.9]) {
          for (const lambda of (a.lambdas ?? '2,5,20').split(',').map(Number)) {
            for (const [name, design] of Object.entries(designs)) {
              const ratios = [0, 1, 2].map((seed) => {
                const c: SimCase = {
                  space,
                  table,
                  loss,
                  lambda,
                  targetMs: frac * range.largestMs,
                  steps: Number(a.steps ?? 150),
                  lr: Number(a.lr ?? 0.004),
                  norms: syntheticNorms(space, seed),
                };
                return simulate(c, design).finalMs / c.targetMs!;
              });
              rows.push({ space: spaceName, table: tableName, loss, frac, lambda, design: name, ratios });
            }
          }
        }
      }
    }
  }
  fs.writeFileSync(out, JSON.stringify(rows, null, 0) + '\n');
  // summary: share of cases within +-10% per design and lambda
  const groups = new Map<string, number[]>();
  for (const r of rows as Array<{ design: string; lambda: number; ratios: number[] }>) {
    const key = `${r.design} | lambda ${r.lambda}`;
    groups.set(key, [...(groups.get(key) ?? []), ...r.ratios]);
  }
  for (const [k, v] of groups) {
    const within = v.filter((x) => Math.abs(x - 1) <= 0.1).length / v.length;
    const worst = v.reduce((m, x) => (Math.abs(x - 1) > Math.abs(m - 1) ? x : m), 1);
    console.log(
      `${k.padEnd(50)} within +-10%: ${(100 * within).toFixed(0)}%  worst ratio ${worst.toFixed(3)}  never moved: ${v.filter((x) => x > 1.1).length}`,
    );
  }
}
