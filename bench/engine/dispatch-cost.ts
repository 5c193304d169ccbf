/**
 * What one small op costs on tfjs-node, apart from its arithmetic: wall and process-CPU microseconds
 * per op for ops on 1-element tensors (so the kernel itself is ~free), dispatched (a) through TF.js
 * (`tf.add`: engine bookkeeping, kernel lookup, the binding, the eager runtime), (b) straight through
 * the binding's op executor (what src/backend/native-ops.ts uses), (c) a TF.js reshape (a shape
 * tensor is created and a native Reshape run), (d) `tf.mul(x, 0.9)` (a scalar tensor is created from
 * the JS number, then the op), and (e) an add recorded on a gradient tape and differentiated. Rounds
 * are interleaved; medians of per-round means.
 *
 *   node --import tsx bench/engine/dispatch-cost.ts [--ops 2000] [--rounds 7]
 */
import * as os from 'node:os';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { argMap } from '../nas/common';
import { median, timed } from './step-bench';

interface Binding {
  executeOp(name: string, attrs: unknown[], ids: number[], n: number): Array<{ id: number }>;
  deleteTensor(id: number): void;
  TF_ATTR_TYPE: number;
  TF_FLOAT: number;
}

async function main(): Promise<void> {
  const a = argMap(process.argv.slice(2));
  const N = Number(a.ops ?? 2000);
  const rounds = Number(a.rounds ?? 7);
  const { tf } = loadTf();
  const be = tf.backend() as unknown as { binding: Binding; getInputTensorIds(ts: TF.Tensor[]): number[] };
  const x = tf.keep(tf.tensor1d([1]));
  const y = tf.keep(tf.tensor1d([2]));
  const v = tf.variable(tf.tensor1d([1.5]));
  const [xId, yId] = be.getInputTensorIds([x, y]) as [number, number];
  const attrs = [{ name: 'T', type: be.binding.TF_ATTR_TYPE, value: be.binding.TF_FLOAT }];
  const cases: Record<string, () => void> = {
    'tf.add (TF.js)': () => tf.tidy(() => void Array.from({ length: N }, () => tf.add(x, y))),
    'binding executeOp AddV2': () => {
      for (let i = 0; i < N; i++) be.binding.deleteTensor(be.binding.executeOp('AddV2', attrs, [xId, yId], 1)[0]!.id);
    },
    'tf.reshape': () => tf.tidy(() => void Array.from({ length: N }, () => tf.reshape(x, [1, 1]))),
    'tf.mul(x, 0.9) (scalar from a JS number)': () => tf.tidy(() => void Array.from({ length: N }, () => tf.mul(x, 0.9))),
    'tf.add on a tape, forward + backward (per op)': () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          let s: TF.Tensor = v;
          for (let i = 0; i < N / 2; i++) s = tf.add(s, x);
          return tf.sum(s) as TF.Scalar;
        });
        tf.dispose(Object.values(grads));
      }),
  };
  const per: Record<string, { wall: number[]; cpu: number[] }> = Object.fromEntries(Object.keys(cases).map((k) => [k, { wall: [], cpu: [] }]));
  const load0 = os.loadavg();
  for (let r = 0; r < rounds + 1; r++) {
    for (const [k, f] of Object.entries(cases)) {
      const t = await timed(f);
      if (r > 0) {
        per[k]!.wall.push((t.wall * 1e3) / N);
        per[k]!.cpu.push((t.cpu * 1e3) / N);
      }
    }
  }
  console.log(
    `tfjs-node ${tf.version.tfjs}, ${os.cpus()[0]?.model}, ${N} ops x ${rounds} rounds, load ${load0[0]!.toFixed(1)} -> ${os.loadavg()[0]!.toFixed(1)}\n`,
  );
  console.log('| op | wall us/op | CPU us/op |\n|---|---|---|');
  for (const [k, t] of Object.entries(per)) console.log(`| ${k} | ${median(t.wall).toFixed(1)} | ${median(t.cpu).toFixed(1)} |`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
