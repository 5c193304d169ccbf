import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AshaSampler, BohbSampler, HyperbandSampler, hyperbandBrackets, rungBudgets, type Params } from '../../src/hpo';

test('Hyperband brackets for R=81, eta=3 equal Table 1 of Li et al. (JMLR 2018)', () => {
  const table = hyperbandBrackets(81, 3).map((b) => ({ s: b.s, rungs: b.rungs.map((r) => [r.n, r.budget]) }));
  assert.deepEqual(table, [
    {
      s: 4,
      rungs: [
        [81, 1],
        [27, 3],
        [9, 9],
        [3, 27],
        [1, 81],
      ],
    },
    {
      s: 3,
      rungs: [
        [34, 3],
        [11, 9],
        [3, 27],
        [1, 81],
      ],
    },
    {
      s: 2,
      rungs: [
        [15, 9],
        [5, 27],
        [1, 81],
      ],
    },
    {
      s: 1,
      rungs: [
        [8, 27],
        [2, 81],
      ],
    },
    { s: 0, rungs: [[5, 81]] },
  ]);
  assert.deepEqual(rungBudgets(81, 3), [1, 3, 9, 27, 81]);
  assert.deepEqual(
    hyperbandBrackets(27, 3, 3).map((b) => b.rungs.map((r) => r.n)),
    [[9, 3, 1], [5, 1], [3]],
  );
  assert.throws(() => hyperbandBrackets(81, 1), /options\.eta/);
  assert.throws(() => hyperbandBrackets(0.5, 3), /options\.maxBudget/);
});

const space = { a: { type: 'float', low: 0, high: 1 }, b: { type: 'float', low: 0, high: 1 } } as const;
const loss = (p: Params, budget: number) => ((p.a as number) - 0.3) ** 2 + ((p.b as number) - 0.7) ** 2 + 1 / budget;

test('Hyperband runs the schedule exactly: 206 trials per iteration, promoting the best of each rung', () => {
  const hb = new HyperbandSampler(space, { seed: 1, maxBudget: 81, eta: 3 });
  const budgets: number[] = [];
  for (let i = 0; i < 206; i++) {
    const t = hb.ask();
    budgets.push(t.budget!);
    hb.tell(t.trialId, { status: 'ok', value: loss(t.params, t.budget!) });
  }
  const runs: [number, number][] = [];
  for (const b of budgets) {
    if (runs.length && runs.at(-1)![0] === b) runs.at(-1)![1]++;
    else runs.push([b, 1]);
  }
  assert.deepEqual(runs, [
    [1, 81],
    [3, 27],
    [9, 9],
    [27, 3],
    [81, 1],
    [3, 34],
    [9, 11],
    [27, 3],
    [81, 1],
    [9, 15],
    [27, 5],
    [81, 1],
    [27, 8],
    [81, 2 + 5],
  ]);
  // The 27 configurations promoted to budget 3 in bracket s=4 are the 27 best at budget 1.
  const trials = hb.trials();
  const rung0 = trials
    .slice(0, 81)
    .map((r) => ({ id: r.configId!, v: r.value as number }))
    .sort((x, y) => x.v - y.v);
  assert.deepEqual(
    trials
      .slice(81, 108)
      .map((r) => r.configId)
      .sort((x, y) => x! - y!),
    rung0
      .slice(0, 27)
      .map((r) => r.id)
      .sort((x, y) => x - y),
  );
  assert.equal(hb.ask().budget, 1, 'the next iteration starts again at bracket s_max');
  assert.equal(hb.best()!.budget, 81);
});

test('Hyperband never blocks: with results outstanding it opens the next bracket', () => {
  const hb = new HyperbandSampler(space, { seed: 2, maxBudget: 9, eta: 3 });
  const first = Array.from({ length: 9 }, () => hb.ask());
  assert.ok(first.every((t) => t.budget === 1));
  const next = hb.ask();
  assert.equal(next.budget, 3, 'bracket s=1 starts while s=2 waits');
  // Failed trials rank last and are not promoted.
  first.forEach((t, i) => hb.tell(t.trialId, i === 0 ? { status: 'failed', reason: 'diverged' } : { status: 'ok', value: i }));
  const promoted = hb.ask();
  assert.equal(promoted.budget, 3);
  assert.equal(promoted.configId, first[1]!.configId);
});

test('Hyperband never promotes failed trials: a rung with one success promotes only it', () => {
  const hb = new HyperbandSampler(space, { seed: 5, maxBudget: 9, eta: 3 });
  const first = Array.from({ length: 9 }, () => hb.ask());
  first.forEach((t, i) => hb.tell(t.trialId, i === 4 ? { status: 'ok', value: 1 } : { status: 'failed' }));
  const up = hb.ask();
  assert.deepEqual([up.budget, up.configId], [3, first[4]!.configId]);
  const next = hb.ask();
  assert.equal(next.budget, 3, 'the rung holds one trial; the next ask opens bracket s=1 (budget 3)');
  assert.notEqual(next.configId, first[4]!.configId);
  hb.tell(up.trialId, { status: 'failed' });
  // All failed at budget 3: the bracket ends without a budget-9 trial for this configuration.
  const later = Array.from({ length: 4 }, () => hb.ask());
  assert.ok(later.every((t) => t.configId !== first[4]!.configId));
});

test('ASHA promotes the top 1/eta of a rung as soon as they exist and never waits', () => {
  const asha = new AshaSampler(space, { seed: 3, maxBudget: 9, eta: 3 });
  assert.deepEqual(asha.budgets, [1, 3, 9]);
  const t = [asha.ask(), asha.ask()];
  asha.tell(t[0]!.trialId, { status: 'ok', value: 5 });
  asha.tell(t[1]!.trialId, { status: 'ok', value: 2 });
  assert.equal(asha.ask().budget, 1, 'two results: floor(2/3) = 0 promotable');
  const third = asha.trials().at(-1)!;
  asha.tell(third.trialId, { status: 'ok', value: 9 });
  const p = asha.ask();
  assert.equal(p.budget, 3);
  assert.equal(p.configId, t[1]!.configId, 'the best of three goes up');
  assert.equal(asha.ask().budget, 1, 'already promoted; no second promotion from three results');
});

test('BOHB proposes from its density model once a budget has enough results', () => {
  const bohb = new BohbSampler(space, { seed: 4, maxBudget: 9, eta: 3 });
  for (let i = 0; i < 200; i++) {
    const t = bohb.ask();
    bohb.tell(t.trialId, { status: 'ok', value: loss(t.params, t.budget!) });
  }
  const late = bohb
    .trials()
    .slice(150)
    .filter((r) => r.budget === 1);
  const dist = late.map((r) => Math.hypot((r.params.a as number) - 0.3, (r.params.b as number) - 0.7)).sort((x, y) => x - y);
  const median = dist[Math.floor(dist.length / 2)]!;
  // Uniform points in the unit square lie at median distance ~0.45 from (0.3, 0.7); the model concentrates them.
  assert.ok(median < 0.25, `median distance of late new configs to the optimum: ${median}`);
  assert.ok(bohb.best()!.budget === 9);
});
