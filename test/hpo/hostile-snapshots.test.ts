// Snapshots and options fed by an attacker or a corrupted store (issue 23): each once ran for minutes,
// threw a raw RangeError, produced a 143 MB message or silently optimised a smaller space. Each is now
// refused at once with an InvalidInputError naming the field, or works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/errors';
import {
  AshaSampler,
  augmentedChebyshev,
  GP_MAX_TRIALS,
  GpSampler,
  MAX_LISTED_ISSUES,
  ParEgoSampler,
  RandomSampler,
  restoreSampler,
  Space,
  type SamplerState,
} from '../../src/hpo';
import { parseStudySpec } from '../../src/study/spec';

const space = { x: { type: 'float', low: 0, high: 1 }, n: { type: 'int', low: 1, high: 8 } } as const;
type Snapshot = Record<string, unknown> & { ledger: { records: Record<string, unknown>[] }; options: Record<string, unknown> };

/** A snapshot of `make`'s sampler after a few told trials, as JSON-safe data. */
function snapshotOf(make: () => { ask(): { trialId: number }; tell(id: number, o: never): void; toJSON(): SamplerState }, vector = false): Snapshot {
  const s = make();
  for (let i = 0; i < 3; i++) s.tell(s.ask().trialId, { status: 'ok', value: vector ? [i, -i] : i } as never);
  return JSON.parse(JSON.stringify(s.toJSON())) as Snapshot;
}

/** `n` ok records over the space (ids in order unless `shift`). */
function records(n: number, vector = false, shift = 0): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    trialId: i + shift,
    params: { n: 1 + (i % 8), x: (i % 1000) / 1000 },
    state: 'ok',
    value: vector ? [i % 97, i % 89] : i % 97,
  }));
}

const refused = (f: () => unknown, field: RegExp, code = 'INVALID_SNAPSHOT') =>
  assert.throws(f, (e: unknown) => e instanceof InvalidInputError && e.code === code && field.test(e.message), String(field));

test('a snapshot asking for 1e9 candidates or fit restarts is refused at restore, naming the option and its bounds', () => {
  const good = snapshotOf(() => new GpSampler(space, { seed: 1, nInitial: 2, nCandidates: 64, fitRestarts: 0 }));
  for (const [key, bounds] of [
    ['nCandidates', /\[16, 16384\]/],
    ['fitRestarts', /\[0, 20\]/],
    ['maxFitPoints', /\[8, 500\]/],
    ['nInitial', /\[1, 2000\]/],
  ] as const) {
    const bad = structuredClone(good);
    bad.options[key] = 1e9;
    refused(() => restoreSampler(bad as never), new RegExp(`sampler state\\.options\\.${key}: must be in ${bounds.source}`));
    // and the constructor refuses the same value
    assert.throws(() => new GpSampler(space, { seed: 1, [key]: 1e9 }), new RegExp(`options\\.${key}: must be an integer in ${bounds.source}`));
  }
  const pg = snapshotOf(() => new ParEgoSampler(space, { seed: 1, nInitial: 2, directions: ['minimize', 'minimize'] }), true);
  pg.options.nCandidates = 1e9;
  refused(() => restoreSampler(pg as never), /options\.nCandidates: must be in \[16, 16384\]/);
  const band = snapshotOf(() => new AshaSampler(space, { seed: 1, maxBudget: 9, eta: 3 }));
  band.options.maxBudget = 1e12;
  refused(() => restoreSampler(band as never), /options\.maxBudget: must be <= 1000000/);
});

test('a 450,000-trial ledger: random search restores and asks; GP and ParEGO refuse it by its length; ASHA continues', () => {
  const N = 450_000;
  const rnd = snapshotOf(() => new RandomSampler(space, { seed: 1 }));
  rnd.ledger.records = records(N);
  const r = restoreSampler(JSON.stringify(rnd));
  assert.equal(r.ask().trialId, N);

  for (const [make, vector] of [
    [() => new GpSampler(space, { seed: 1, nInitial: 2 }), false],
    [() => new ParEgoSampler(space, { seed: 1, nInitial: 2, directions: ['maximize', 'minimize'] }), true],
  ] as const) {
    const gp = snapshotOf(make, vector);
    gp.ledger.records = records(N, vector);
    gp.sobol = null;
    refused(() => restoreSampler(gp as never), /sampler state\.ledger\.records: has 450000 trials, more than the '(gp|parego)' sampler serves \(2000/);
  }

  // ASHA: every trial done at the lowest rung; the next ask promotes the best third's first member.
  const asha = snapshotOf(() => new AshaSampler(space, { seed: 1, maxBudget: 9, eta: 3 }));
  asha.ledger.records = records(N).map((rec, i) => ({ ...rec, budget: 1, configId: i }));
  asha.rungs = [Array.from({ length: N }, (_, i) => i), [], []];
  asha.promoted = [[], [], []];
  asha.nextConfigId = N;
  const a = restoreSampler(asha as never);
  const t = a.ask();
  assert.equal(t.budget, 3);
  assert.equal(a.trials()[t.configId!]!.value, 0, 'the lowest value at rung 0 is promoted (minimising)');
});

test('GP-BO refuses to propose beyond the trials it serves instead of running for hours', () => {
  const s = new GpSampler(space, { seed: 1, nInitial: GP_MAX_TRIALS });
  for (let i = 0; i < GP_MAX_TRIALS; i++) s.tell(s.ask().trialId, { status: 'ok', value: i % 7 });
  assert.throws(
    () => s.ask(),
    (e: unknown) => e instanceof InvalidInputError && e.code === 'TOO_MANY_TRIALS' && /2000 trials issued, the most a GP serves/.test(e.message),
  );
  // A study spec asking a GP for more trials than it serves is refused before any compute.
  assert.throws(
    () =>
      parseStudySpec({
        name: 's',
        storage: '/tmp/s',
        space: 'cifar-tiny',
        data: { train: { uri: '/tmp/d', valCount: 10 } },
        hpo: { sampler: 'gp', trials: 5000 },
      }),
    (e: unknown) => e instanceof InvalidInputError && /hpo\.trials: is more than the 'gp' sampler serves \(2000/.test(e.message),
  );
});

test('ParEGO scalarises a 450,000-trial history without a stack overflow', () => {
  const values = Array.from({ length: 450_000 }, (_, i) => [i % 101, (i * 7) % 103]);
  const s = augmentedChebyshev(values, ['minimize', 'maximize'], [0.5, 0.5], 0.05);
  assert.equal(s.length, values.length);
  assert.ok(s.every(Number.isFinite));
});

test('a 50 MB ledger of bad ids gives a short error: the first problems and a count of the rest', () => {
  const rnd = snapshotOf(() => new RandomSampler(space, { seed: 1 }));
  rnd.ledger.records = records(750_000, false, 1);
  const text = JSON.stringify(rnd);
  assert.ok(text.length > 50e6, `${text.length} bytes`);
  assert.throws(
    () => restoreSampler(text),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.message.length < 5000 &&
      /invalid sampler state \(750000 errors\)/.test(e.message) &&
      /records\[0\]\.trialId: is 1 at position 0/.test(e.message) &&
      e.message.includes(`... and ${750_000 - MAX_LISTED_ISSUES} more`),
  );
});

test('parameters named __proto__, constructor or prototype are refused, not silently dropped', () => {
  for (const name of ['__proto__', 'constructor', 'prototype']) {
    const text = `{"${name}": {"type": "float", "low": 0, "high": 1}, "x": {"type": "float", "low": 0, "high": 1}}`;
    assert.throws(
      () => Space.from(JSON.parse(text)),
      (e: unknown) => e instanceof InvalidInputError && new RegExp(`space\\.${name}: parameter name "${name}" is reserved`).test(e.message),
    );
    // in a snapshot's space
    const snap = JSON.stringify(snapshotOf(() => new RandomSampler(space, { seed: 1 }))).replace(
      '"space":{',
      `"space":{"${name}":{"type":"float","low":0,"high":1},`,
    );
    refused(() => restoreSampler(snap), new RegExp(`sampler state\\.space: .*"${name}" is reserved`));
    // in a study spec's overrides of the NAS-hyperparameter space
    const spec = `{"name": "s", "storage": "/tmp/s", "space": "cifar-tiny", "data": {"train": {"uri": "/tmp/d", "valCount": 10}}, "hpo": {"space": {"${name}": {"type": "float", "low": 0, "high": 1}}}}`;
    assert.throws(
      () => parseStudySpec(JSON.parse(spec)),
      (e: unknown) => e instanceof InvalidInputError && new RegExp(`hpo\\.space\\.${name}: parameter name "${name}" is reserved`).test(e.message),
    );
  }
});

test('NaN and infinite values are named as such, with their field', () => {
  const good = snapshotOf(() => new GpSampler(space, { seed: 1, nInitial: 2 }));
  const cases: Array<[(x: Snapshot) => void, RegExp]> = [
    [(x) => void (x.ledger.records[0]!.value = Number.NaN), /records\[0\]\.value: is NaN: must be a finite number/],
    [(x) => void (x.options.nCandidates = Number.POSITIVE_INFINITY), /options\.nCandidates: is Infinity: must be a finite number/],
    [(x) => void ((x.rng as number[])[0] = Number.NaN), /rng\[0\]: is NaN: must be a finite number/],
    [(x) => void (x.ledger.records[1]!.params = { n: 1, x: Number.NEGATIVE_INFINITY }), /records\[1\]\.params\.x: is -Infinity: must be a finite number/],
  ];
  for (const [edit, field] of cases) {
    const bad = structuredClone(good);
    edit(bad);
    refused(() => restoreSampler(bad as never), field);
  }
});
