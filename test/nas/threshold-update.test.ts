import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { Rmsprop } from '../../src/nas/optimizer';
import { SgdThresholds } from '../../src/nas/threshold-update';

const { tf } = loadTf();

/** Runs `steps` updates with fixed per-threshold gradients; returns how far each threshold moved. */
function moved(
  make: (vars: Array<{ name: string; variable: TF.Variable }>) => { apply(g: Record<string, TF.Tensor>, lr: number): void; dispose?(): void },
  grads: number[],
  steps: number,
): number[] {
  const vars = grads.map((_, i) => ({ name: `t${i}`, variable: tf.variable(tf.scalar(0)) }));
  const opt = make(vars);
  for (let s = 0; s < steps; s++) {
    const g = Object.fromEntries(vars.map(({ variable }, i) => [variable.name, tf.scalar(grads[i]!)]));
    opt.apply(g, 0.01);
    tf.dispose(Object.values(g));
  }
  const out = vars.map(({ variable }) => -variable.dataSync()[0]!);
  opt.dispose?.();
  vars.forEach(({ variable }) => variable.dispose());
  return out;
}

// The runtime term's gradient on a threshold is proportional to the latency the decision saves (and to
// sigmoid' at its margin). Gradients 2 : 0.5 : 0.05 stand for a whole layer, an SE path, a kernel ring.
const grads = [2, 0.5, 0.05];

test('sgd moves thresholds in proportion to their gradients (what a decision saves, times lambda), without momentum', () => {
  const a = moved((vars) => new SgdThresholds(tf, vars, 10), grads, 10);
  grads.forEach((g, i) => assert.ok(Math.abs(a[i]! - 10 * 0.01 * 10 * g) < 1e-5 * g, `threshold ${i} moved ${a[i]}`));
  // lambda x 4: four times the motion (lambda keeps its meaning)
  const b = moved(
    (vars) => new SgdThresholds(tf, vars, 10),
    grads.map((g) => 4 * g),
    10,
  );
  a.forEach((v, i) => assert.ok(Math.abs(b[i]! / v - 4) < 1e-5, `ratio ${b[i]! / v}`));
});

test('per-threshold RMSProp (the reference) moves them all at about the same speed: the behaviour sgd replaces', () => {
  const rms = (vars: Array<{ name: string; variable: TF.Variable }>) =>
    new Rmsprop(
      tf,
      vars.map((v) => ({ ...v, lrMultiplier: 1 })),
      { decay: 0.9, momentum: 0.9, epsilon: 1e-3, msInit: 0 },
    );
  const a = moved(rms, grads, 10);
  // 2 vs 0.5: a 4x larger gradient moves less than 1.2x farther
  assert.ok(a[0]! / a[1]! < 1.2, `ratio ${a[0]! / a[1]!}`);
});
