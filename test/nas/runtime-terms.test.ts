import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTf } from '../../src/backend/tf';
import { runtimeTensor } from '../../src/nas/runtime-tf';
import { runtimeLossTerm, runtimeLossTermFlip } from '../../src/nas/runtime-loss';
import { totalRuntime } from '../../src/latency/runtime-model';
import { pixel1Table } from '../../src/latency/pixel1-table';

const { tf } = loadTf();

test('the tensor runtime R equals the pure runtime model for fractional and hard indicators', () => {
  const table = { ...pixel1Table(), layers: pixel1Table().layers.map((r, i) => ({ ...r, se: { e3: 0.1 + i / 100, e6: 0.2 + i / 50 } })) };
  let s = 3;
  const rnd = () => (s = (s * 48271) % 2147483647) / 2147483647;
  for (let trial = 0; trial < 5; trial++) {
    const vals = table.layers.map(() => ({ d5x5: rnd(), d50c: trial === 0 ? 1 : rnd(), d100c: rnd(), dse: trial < 2 ? Math.round(rnd()) : rnd() }));
    const got = tf.tidy(
      () =>
        runtimeTensor(
          tf,
          table,
          vals.map((v) => ({ d5x5: tf.scalar(v.d5x5), d50c: tf.scalar(v.d50c), d100c: tf.scalar(v.d100c), dse: tf.scalar(v.dse) })),
        ).dataSync()[0]!,
    );
    const want = totalRuntime(table, vals);
    assert.ok(Math.abs(got - want) < 1e-3, `trial ${trial}: ${got} vs ${want}`);
  }
});

test('runtime terms: log, mnas (one-sided and soft) and hinge have the stated values and slopes', () => {
  const at = (r: number, cfg: Parameters<typeof runtimeLossTerm>[2]) =>
    tf.tidy(() => {
      const rv = tf.scalar(r);
      const g = tf.grad((x) => runtimeLossTerm(tf, x as ReturnType<typeof tf.scalar>, cfg, cfg.lambda))(rv);
      return { v: runtimeLossTerm(tf, rv, cfg, cfg.lambda).dataSync()[0]!, g: g.dataSync()[0]! };
    });
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-4 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
  const log = at(80, { kind: 'log', lambda: 20 });
  close(log.v, 20 * Math.log(80), 'log value');
  close(log.g, 20 / 80, 'log slope');
  const above = at(100, { kind: 'mnas', lambda: 2, targetMs: 80, alpha: 0 });
  close(above.v, 2 * Math.log(100 / 80), 'mnas above');
  close(above.g, 2 / 100, 'mnas slope above');
  const below = at(60, { kind: 'mnas', lambda: 2, targetMs: 80, alpha: 0 });
  close(below.v, 0, 'mnas below, alpha 0');
  close(below.g, 0, 'mnas slope below, alpha 0');
  const soft = at(60, { kind: 'mnas', lambda: 2, targetMs: 80, alpha: 0.5 });
  close(soft.v, 0.5 * 2 * Math.log(60 / 80), 'mnas below, alpha 0.5');
  close(soft.g, (0.5 * 2) / 60, 'mnas slope below, alpha 0.5');
  const hinge = at(100, { kind: 'hinge', lambda: 3, targetMs: 80 });
  close(hinge.v, 3 * (100 / 80 - 1), 'hinge above');
  close(hinge.g, 3 / 80, 'hinge slope');
  close(at(70, { kind: 'hinge', lambda: 3, targetMs: 80 }).v, 0, 'hinge below');
});

test("'flip' runtime gradient: on each indicator, the exact change of the term when that decision flips ('to-target': of the distance to the target)", () => {
  const table = {
    space: 'synthetic',
    device: 'synthetic',
    unit: 'ms' as const,
    fixedMs: 5,
    layers: Array.from({ length: 6 }, (_, i) => ({
      k3e3: 1 + i / 10,
      k3e6: 1.6 + i / 7,
      k5e3: 1.3 + i / 9,
      k5e6: 2.2 + i / 5,
      se: { e3: 0.2 + i / 20, e6: 0.3 + i / 15 },
    })),
  };
  const keys = ['d5x5', 'd50c', 'd100c', 'dse'] as const;
  const ind = table.layers.map((_, i) => ({ d5x5: i % 2, d50c: i === 3 ? 0 : 1, d100c: i % 3 ? 1 : 0, dse: i < 3 ? 1 : 0 }));
  const R = totalRuntime(table, ind);
  const configs = [
    { kind: 'log' as const, lambda: 20 },
    { kind: 'mnas' as const, lambda: 5, targetMs: R - 1.5, alpha: 0 }, // just above target: big decisions overshoot it
    { kind: 'hinge' as const, lambda: 5, targetMs: R - 1.5 },
    { kind: 'hinge' as const, lambda: 5, targetMs: R + 0.5 }, // below target: only decisions that would cross it count
  ];
  let differs = 0;
  const cases = configs.flatMap((c) => [[c, 'any', 0.5] as const, [c, 'to-target', 0.5] as const, [c, 'to-target', 1] as const]);
  for (const [cfg, mode, below] of cases) {
    const vecs = keys.map((k) => tf.variable(tf.tensor1d(ind.map((d) => d[k]))));
    const { value, grads } = tf.variableGrads(
      () => runtimeLossTermFlip(tf, table, { d5x5: vecs[0]!, d50c: vecs[1]!, d100c: vecs[2]!, dse: vecs[3]! } as never, cfg, cfg.lambda, mode, below),
      vecs,
    );
    const term = (r: number) => tf.tidy(() => runtimeLossTerm(tf, tf.scalar(r), cfg, cfg.lambda).dataSync()[0]!);
    assert.ok(Math.abs(value.dataSync()[0]! - term(R)) < 1e-4 * Math.max(1, Math.abs(term(R))), `${cfg.kind} value`);
    keys.forEach((k, j) => {
      const g = grads[vecs[j]!.name]!.dataSync();
      ind.forEach((_, i) => {
        const on = totalRuntime(
          table,
          ind.map((d, l) => (l === i ? { ...d, [k]: 1 } : d)),
        );
        const off = totalRuntime(
          table,
          ind.map((d, l) => (l === i ? { ...d, [k]: 0 } : d)),
        );
        // 'to-target': the change of the distance to the target, ln(R/T) (mnas) or R/T - 1 (hinge), times `below` under it
        const T = cfg.targetMs;
        const dist = (r: number) => {
          const m = cfg.kind === 'hinge' ? r / T! - 1 : Math.log(r / T!);
          return cfg.lambda * (m > 0 ? m : -below * m);
        };
        const want = mode === 'to-target' && T !== undefined ? dist(on) - dist(off) : term(on) - term(off);
        if (mode === 'to-target' && Math.abs(want - (term(on) - term(off))) > 1e-3) differs++;
        assert.ok(
          Math.abs(g[i]! - want) < 1e-4 * Math.max(1, Math.abs(want)),
          `${cfg.kind} ${mode} below ${below} T=${cfg.targetMs} ${k}[${i}]: ${g[i]} vs ${want}`,
        );
      });
    });
    tf.dispose([value, ...Object.values(grads), ...vecs]);
  }
  assert.ok(differs > 0, "'to-target' pushed every decision as 'any' did: the cases do not exercise it");
});
