// Cheap fixed-seed quality checks. The expensive regret targets (10 seeds, Branin to 1e-3, Hartmann-6
// at 100 evaluations) live in bench/hpo/regret.ts; their measured numbers are in the README.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GpSampler, ParEgoSampler, RandomSampler, branin, hartmann3, hypervolume2d, type Sampler, type TestFunction } from '../../src/hpo';

function regretAfter(s: Sampler, fn: TestFunction, n: number): number {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const t = s.ask();
    const v = fn.evaluate(t.params);
    s.tell(t.trialId, { status: 'ok', value: v });
    best = Math.min(best, v);
  }
  return best - fn.optimum;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const SEEDS = [0, 1, 2];

for (const fn of [branin, hartmann3]) {
  test(`GP-BO beats random search on ${fn.name} after 30 evaluations (median of 3 seeds)`, () => {
    const bo = SEEDS.map((seed) => regretAfter(new GpSampler(fn.space, { seed }), fn, 30));
    const rs = SEEDS.map((seed) => regretAfter(new RandomSampler(fn.space, { seed }), fn, 30));
    assert.ok(median(bo) < 0.02, `BO median regret ${median(bo)} (${bo})`);
    assert.ok(median(bo) * 20 < median(rs), `BO ${median(bo)} vs random ${median(rs)}`);
  });
}

test('ParEGO covers a two-objective front better than random search (hypervolume, 25 evaluations)', () => {
  // ZDT1-like pair on [0,1]^2: f1 = x, f2 = g (1 - sqrt(f1 / g)), g = 1 + 9 y.
  const space = { x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1 } } as const;
  const objectives = (x: number, y: number) => {
    const g = 1 + 9 * y;
    return [x, g * (1 - Math.sqrt(x / g))];
  };
  const run = (s: Sampler) => {
    const pts: number[][] = [];
    for (let i = 0; i < 25; i++) {
      const t = s.ask();
      const v = objectives(t.params.x as number, t.params.y as number);
      pts.push(v);
      s.tell(t.trialId, { status: 'ok', value: s.kind === 'parego' ? v : v[0]! + v[1]! });
    }
    return hypervolume2d(pts, [1.1, 11], ['minimize', 'minimize']);
  };
  const hvP = SEEDS.map((seed) => run(new ParEgoSampler(space, { seed, directions: ['minimize', 'minimize'] })));
  const hvR = SEEDS.map((seed) => run(new RandomSampler(space, { seed })));
  assert.ok(median(hvP) > median(hvR), `ParEGO ${hvP} vs random ${hvR}`);
  assert.ok(median(hvP) > 0.99 * (1.1 * 11 - 1 / 3), `ParEGO close to the true front's hypervolume 11.77: ${hvP} (random ${hvR})`);
});
