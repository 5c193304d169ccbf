import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { Rmsprop } from '../../src/nas/optimizer';
import { SharedRmsThresholds } from '../../src/nas/threshold-update';

const { tf } = loadTf();

/** Runs `steps` updates with fixed per-threshold gradients; returns how far each threshold moved. */
function moved(make: (vars: Array<{ name: string; variable: TF.Variable }>) => { apply(g: Record<string, TF.Tensor>, lr: number): void; dispose(): void }, grads: number[], steps: number): number[] {
  const vars = grads.map((_, i) => ({ name: `t${i}`, variable: tf.variable(tf.scalar(0)) }));
  const opt = make(vars);
  for (let s = 0; s < steps; s++) {
    const g = Object.fromEntries(vars.map(({ variable }, i) => [variable.name, tf.scalar(grads[i]!)]));
    opt.apply(g, 0.01);
    tf.dispose(Object.values(g));
  }
  const out = vars.map(({ variable }) => -variable.dataSync()[0]!);
  opt.dispose();
  vars.forEach(({ variable }) => variable.dispose());
  return out;
}

// The runtime term's gradient on a threshold is proportional to the latency the decision saves (and to
// sigmoid' at its margin). Gradients 2 : 0.5 : 0.05 stand for a whole layer, an SE path, a kernel ring.
const grads = [2, 0.5, 0.05];

test("shared-rms moves thresholds in proportion to their gradients, whatever lambda's scale", () => {
  const shared = (vars: Array<{ name: string; variable: TF.Variable }>) => new SharedRmsThresholds(tf, vars, 1);
  const a = moved(shared, grads, 10);
  for (let i = 1; i < grads.length; i++) assert.ok(Math.abs(a[i]! / a[0]! - grads[i]! / grads[0]!) < 1e-5, `ratio ${a[i]! / a[0]!}`);
  // scaling every gradient (lambda x 1000) gives the same steps: the divisor is shared
  const b = moved(shared, grads.map((g) => g * 1000), 10);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-6 * Math.max(1, v), `${v} vs ${b[i]}`));
  // bias-corrected from the first step: RMS of (2, 0.5, 0.05) = 1.19, so the first step of t0 is 0.01 * 2 / 1.19
  const first = moved(shared, grads, 1);
  assert.ok(Math.abs(first[0]! - (0.01 * 2) / Math.sqrt((4 + 0.25 + 0.0025) / 3)) < 1e-6, String(first[0]));
});

test('per-threshold RMSProp (the reference) moves them all at about the same speed: the behaviour shared-rms replaces', () => {
  const rms = (vars: Array<{ name: string; variable: TF.Variable }>) => new Rmsprop(tf, vars.map((v) => ({ ...v, lrMultiplier: 1 })), { decay: 0.9, momentum: 0.9, epsilon: 1e-3, msInit: 0 });
  const a = moved(rms, grads, 10);
  // 2 vs 0.5: a 4x larger gradient moves less than 1.2x farther
  assert.ok(a[0]! / a[1]! < 1.2, `ratio ${a[0]! / a[1]!}`);
});
