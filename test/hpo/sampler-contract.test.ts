// One contract for every sampler (the optuna pattern): same seed -> same proposals; proposals are
// valid members of the space; NaN and unknown ids are rejected naming the trial; failed trials are
// survived, kept with their reason and never reported as best; serialise -> restore -> continue equals
// an uninterrupted run, with trials in flight and failures on both sides of the snapshot; a tampered
// snapshot is refused with an InvalidInputError naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/errors';
import {
  AshaSampler,
  BohbSampler,
  GpSampler,
  HyperbandSampler,
  ParEgoSampler,
  RandomSampler,
  Space,
  restoreSampler,
  type Params,
  type Sampler,
  type Trial,
  type TrialOutcome,
} from '../../src/hpo';

const spec = {
  x: { type: 'float', low: -2, high: 3 },
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  n: { type: 'int', low: 1, high: 8 },
  act: { type: 'categorical', choices: ['relu', 'swish', 'gelu'] },
} as const;
const space = Space.from(spec);

function score(p: Params): number {
  return ((p.x as number) - 1) ** 2 + (Math.log10(p.lr as number) + 2) ** 2 + ((p.n as number) - 5) ** 2 / 10 + (p.act === 'swish' ? 0 : 0.5);
}

const cheapGp = { nCandidates: 128, fitRestarts: 1, nInitial: 4 };
const factories: Record<string, (seed: number) => Sampler> = {
  random: (seed) => new RandomSampler(spec, { seed }),
  sobol: (seed) => new RandomSampler(spec, { seed, sequence: 'sobol' }),
  gp: (seed) => new GpSampler(spec, { seed, ...cheapGp }),
  'gp-pure-ei-constant-liar-exclude': (seed) =>
    new GpSampler(spec, { seed, ...cheapGp, exploitEvery: 0, batchStrategy: 'constant-liar-min', failedTrials: 'exclude' }),
  'gp-impute-worst-posterior-mean': (seed) => new GpSampler(spec, { seed, ...cheapGp, failedTrials: 'impute-worst', incumbent: 'posterior-mean' }),
  parego: (seed) => new ParEgoSampler(spec, { seed, ...cheapGp, directions: ['minimize', 'minimize'] }),
  hyperband: (seed) => new HyperbandSampler(spec, { seed, maxBudget: 9, eta: 3 }),
  bohb: (seed) => new BohbSampler(spec, { seed, maxBudget: 9, eta: 3 }),
  asha: (seed) => new AshaSampler(spec, { seed, maxBudget: 9, eta: 3 }),
};

function outcome(s: Sampler, t: Trial): TrialOutcome {
  if (t.trialId % 7 === 5) return { status: 'failed', reason: 'diverged' };
  const v = score(t.params) + (t.budget !== undefined ? 1 / t.budget : 0);
  return { status: 'ok', value: s.kind === 'parego' ? [v, (t.params.n as number) * 10] : v };
}

/** Asks in batches of 1, 3, 1, 2, ... and tells each batch, recording every proposal. */
function drive(s: Sampler, steps: number, from = 0): { sampler: Sampler; log: Trial[] } {
  const log: Trial[] = [];
  for (let step = from; step < steps; step++) {
    const batch = Array.from({ length: (step % 3) + 1 }, () => s.ask());
    log.push(...batch);
    for (const t of batch) s.tell(t.trialId, outcome(s, t));
  }
  return { sampler: s, log };
}

function checkValid(t: Trial): void {
  const p = t.params;
  assert.deepEqual(Object.keys(p).sort(), ['act', 'lr', 'n', 'x']);
  assert.ok(typeof p.x === 'number' && p.x >= -2 && p.x <= 3, `x=${p.x}`);
  assert.ok(typeof p.lr === 'number' && p.lr >= 1e-4 && p.lr <= 1e-1, `lr=${p.lr}`);
  assert.ok(Number.isInteger(p.n) && (p.n as number) >= 1 && (p.n as number) <= 8, `n=${p.n}`);
  assert.ok(['relu', 'swish', 'gelu'].includes(p.act as string), `act=${p.act}`);
  space.toFeatures(p); // throws if invalid
}

for (const [name, make] of Object.entries(factories)) {
  test(`${name}: same seed gives the same proposals; a different seed does not`, () => {
    const a = drive(make(11), 6).log;
    const b = drive(make(11), 6).log;
    assert.deepEqual(a, b);
    a.forEach(checkValid);
    const c = drive(make(12), 6).log;
    assert.notDeepEqual(
      c.map((t) => t.params),
      a.map((t) => t.params),
    );
  });

  test(`${name}: serialise -> restore -> continue equals an uninterrupted run, with trials in flight`, () => {
    const whole = drive(make(5), 8).log;
    const first = drive(make(5), 4);
    // Leave two trials in flight across the snapshot.
    const inflight = [first.sampler.ask(), first.sampler.ask()];
    const json = JSON.stringify(first.sampler.toJSON());
    const restored = restoreSampler(JSON.parse(json));
    assert.equal(restored.kind, first.sampler.kind);
    assert.deepEqual(restored.trials(), first.sampler.trials());
    for (const t of inflight) restored.tell(t.trialId, outcome(restored, t));
    const rest = drive(restored, 8, 4).log;
    const straight = drive(make(5), 4);
    const straightInflight = [straight.sampler.ask(), straight.sampler.ask()];
    assert.deepEqual(straightInflight, inflight);
    for (const t of straightInflight) straight.sampler.tell(t.trialId, outcome(straight.sampler, t));
    assert.deepEqual(drive(straight.sampler, 8, 4).log, rest);
    assert.deepEqual(JSON.stringify(restored.toJSON()), JSON.stringify(straight.sampler.toJSON()));
    assert.ok(whole.length > 0);
  });

  test(`${name}: NaN, unknown ids and conflicting repeats are rejected naming the trial; failures are survived`, () => {
    const s = make(3);
    const t = s.ask();
    const nan: TrialOutcome = { status: 'ok', value: s.kind === 'parego' ? [1, Number.NaN] : Number.NaN };
    assert.throws(
      () => s.tell(t.trialId, nan),
      (e: unknown) => e instanceof InvalidInputError && e.message.includes(`trial ${t.trialId}`) && /NaN/.test(e.message),
    );
    assert.throws(() => s.tell(999, outcome(s, t)), /trial 999: unknown trial id/);
    s.tell(t.trialId, { status: 'failed', reason: 'OOM' });
    s.tell(t.trialId, { status: 'failed', reason: 'OOM' }); // at-least-once delivery: identical repeat is a no-op
    assert.throws(() => s.tell(t.trialId, { status: 'ok', value: s.kind === 'parego' ? [1, 2] : 1 }), /already told/);
    // All-failed history, then a mix: the sampler keeps proposing valid points.
    for (let i = 0; i < 5; i++) {
      const u = s.ask();
      checkValid(u);
      s.tell(u.trialId, { status: 'failed' });
    }
    const log = drive(s, 5).log;
    log.forEach(checkValid);
    assert.equal(s.trials().filter((r) => r.state === 'failed').length >= 6, true);
    assert.deepEqual(s.trials()[t.trialId], { ...t, state: 'failed', reason: 'OOM' });
    const best = s.best();
    assert.ok(best && best.state === 'ok', 'best() is a successful trial');
  });

  test(`${name}: a snapshot taken right after failures restores them (with reasons) and continues identically`, () => {
    const a = make(8);
    drive(a, 3);
    const failing = [a.ask(), a.ask()];
    for (const t of failing) a.tell(t.trialId, { status: 'failed', reason: `lost node ${t.trialId}` });
    const b = restoreSampler(JSON.stringify(a.toJSON()));
    assert.deepEqual(b.trials(), a.trials());
    assert.equal(b.trials()[failing[1]!.trialId]!.reason, `lost node ${failing[1]!.trialId}`);
    assert.deepEqual(drive(b, 7, 3).log, drive(a, 7, 3).log);
    assert.deepEqual(b.best(), a.best());
  });

  test(`${name}: a tampered snapshot is refused with an InvalidInputError naming the field`, () => {
    const s = make(4);
    drive(s, 4);
    s.ask(); // one in flight
    const good = JSON.parse(JSON.stringify(s.toJSON())) as Record<string, unknown> & { ledger: { records: Record<string, unknown>[] } };
    const edit = (f: (x: typeof good) => unknown) => {
      const copy = structuredClone(good);
      return (f(copy) ?? copy) as never;
    };
    const refused = (snapshot: never, field: RegExp, code = 'INVALID_SNAPSHOT') =>
      assert.throws(
        () => restoreSampler(snapshot),
        (e: unknown) => e instanceof InvalidInputError && e.code === code && field.test(e.message),
        `expected ${field}`,
      );
    refused(
      edit((x) => void (x.ledger = null as never)),
      /sampler state\.ledger: .*restart trial ids/,
    );
    refused(
      edit((x) => void delete (x as Record<string, unknown>).ledger),
      /sampler state\.ledger: /,
    );
    refused(
      edit((x) => void (x.version = 2)),
      /sampler state\.version: unsupported version 2/,
      'UNSUPPORTED_SNAPSHOT_VERSION',
    );
    refused(
      edit((x) => void delete (x as Record<string, unknown>).version),
      /sampler state\.version/,
      'UNSUPPORTED_SNAPSHOT_VERSION',
    );
    refused(
      edit((x) => void (x.rng = [1, 2, 3, 2 ** 32])),
      /sampler state\.rng\[3\]: must be a uint32 word/,
    );
    refused(
      edit((x) => void (x.rng = [0, 0, 0, 0])),
      /sampler state\.rng: the all-zero state/,
    );
    refused(
      edit((x) => void x.ledger.records.shift()),
      /records\[0\]\.trialId: is 1 at position 0/,
    );
    // An emptied history is caught wherever other state points into it (uniform random search has none).
    if (name !== 'random')
      refused(
        edit((x) => void (x.ledger.records = [])),
        s.kind === 'random' || s.kind === 'gp' || s.kind === 'parego' ? /sobol\.index: is \d+, more than the 0 trials/ : /is not in the ledger/,
      );
    refused(
      edit((x) => void (x.ledger.records[1]!.params = { ...(x.ledger.records[1]!.params as object), n: 99 })),
      /records\[1\]\.params: parameter n: 99 is not a number in \[1, 8\]/,
    );
    refused(
      edit((x) => void (x.ledger.records[1]!.state = 'exploded')),
      /records\[1\]\.state/,
    );
    refused(
      edit((x) => void (x.space = { x: { type: 'float', low: 3, high: -2 } })),
      /sampler state\.space: .*must be greater than low/,
    );
    refused(
      edit((x) => void (x.kind = 'nope')),
      /sampler state\.kind: unknown sampler "nope"/,
    );
    refused(
      edit((x) => void ((x.options as Record<string, unknown>).seed = 0.5)),
      /sampler state\.options\.seed: must be a safe integer/,
    );
    refused(
      edit((x) => void ((x as Record<string, unknown>).extra = 1)),
      /Unrecognized key.*extra/,
    );
    refused('{"kind": "gp",' as never, /not valid JSON/);
    refused(null as never, /must be an object/);
    // Kind-specific structure.
    if (s.kind === 'gp' || s.kind === 'parego') {
      refused(
        edit((x) => ({ kind: x.kind, version: 1 })),
        /sampler state\.rng: missing/,
      );
      refused(
        edit((x) => void ((x.options as Record<string, unknown>).failedTrials = 'ignore')),
        /options\.failedTrials/,
      );
      refused(
        edit((x) => void (x.hyper = { lengthscales: [0.1], signalVar: 1, noiseVar: 1e-6 })),
        /hyper\.lengthscales: needs 6 values/,
      );
    }
    if (s.kind === 'hyperband' || s.kind === 'bohb') {
      refused(
        edit((x) => void (x.nextConfigId = 0)),
        /configId: is \d+, not below nextConfigId 0/,
      );
      refused(
        edit((x) => void ((x.runs as { trialIds: number[] }[])[0]!.trialIds[0] = 999)),
        /runs\[0\]\.trialIds\[0\]: trial 999 is not in the ledger/,
      );
      refused(
        edit((x) => void ((x.options as Record<string, unknown>).eta = 1)),
        /options\.eta: must be > 1/,
      );
      // An eta barely above 1 would build millions of brackets: refused, not hung on.
      refused(
        edit((x) => void ((x.options as Record<string, unknown>).eta = 1.0001)),
        /options: options\.eta: gives more than 31 rungs/,
      );
    }
    if (s.kind === 'asha') {
      refused(
        edit((x) => void (x.nextConfigId = 1)),
        /configId: is \d+, not below nextConfigId 1/,
      );
      refused(
        edit((x) => void (x.rungs as number[][])[0]!.push(999)),
        /rungs\[0\]\[\d+\]: trial 999 is not in the ledger/,
      );
      refused(
        edit((x) => void (x.promoted = [])),
        /promoted: needs 3 rungs/,
      );
    }
    // The untouched snapshot still restores, and restoring did not modify it.
    const before = JSON.stringify(good);
    restoreSampler(good as never);
    assert.equal(JSON.stringify(good), before);
  });
}

test('GP batch proposals spread out instead of repeating one point', () => {
  const s = new GpSampler(spec, { seed: 9, ...cheapGp });
  drive(s, 4);
  const batch = [s.ask(), s.ask(), s.ask()];
  const keys = new Set(batch.map((t) => JSON.stringify(t.params)));
  assert.equal(keys.size, 3);
});

test('bad sampler options are rejected with the option path', () => {
  assert.throws(() => new GpSampler(spec, { seed: 1.5 }), /options\.seed/);
  assert.throws(() => new GpSampler(spec, { seed: 1, batchStrategy: 'x' as never }), /options\.batchStrategy/);
  assert.throws(() => new RandomSampler(spec, { seed: 1, direction: 'up' as never }), /options\.direction/);
  assert.throws(() => new ParEgoSampler(spec, { seed: 1, directions: ['minimize'] }), /options\.directions/);
  assert.throws(() => new HyperbandSampler(spec, { seed: 1, maxBudget: 9, eta: 0.5 }), /options\.eta/);
  assert.throws(() => new AshaSampler(spec, { seed: 1, maxBudget: 1e6, eta: 1.000001 }), /options\.eta: gives more than 31 rungs/);
  assert.throws(
    () => new GpSampler(spec, { seed: 1, failedTrials: 'retry' as never }),
    /options\.failedTrials: must be one of 'classifier', 'impute-worst', 'exclude'/,
  );
  assert.throws(() => new GpSampler(spec, { seed: 1, incumbent: 'mean' as never }), /options\.incumbent/);
  assert.throws(() => new ParEgoSampler(spec, { seed: 1, directions: ['minimize', 'minimize'], incumbent: 'posterior-mean' }), /options\.incumbent: ParEGO/);
  assert.throws(() => restoreSampler({ kind: 'nope', version: 1, space: spec } as never), /unknown sampler/);
});
