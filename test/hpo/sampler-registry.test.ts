// A new sampler is one module exporting a descriptor plus one registration: this file defines a toy
// sampler (a grid walk along the cube's diagonal), registers it, and runs it through what a built-in
// sampler goes through: the study spec names it, the study's factory builds it, its snapshot is
// validated with its own fields and bounds, and a restore continues exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { InvalidInputError } from '../../src/errors';
import {
  BaseSampler,
  registerSampler,
  restoreSampler,
  samplerDescriptor,
  type BaseState,
  type SamplerDescriptor,
  type SamplerState,
  type Trial,
} from '../../src/hpo';
import type { Direction } from '../../src/hpo/sampler';
import type { Space } from '../../src/hpo/space';
import { proposeTrials } from '../../src/study/sampler-factory';
import { MULTI_FIDELITY_SAMPLERS, vectorObjective } from '../../src/study/sampler-traits';
import { parseStudySpec, studySpecJsonSchema } from '../../src/study/spec';

type GridState = BaseState & { kind: 'toy-grid'; version: 1; options: { seed: number; direction: Direction; step: number }; cursor: number };

class GridSampler extends BaseSampler {
  readonly kind = 'toy-grid';
  private cursor: number;
  constructor(
    space: Space | BaseState['space'],
    private readonly options: GridState['options'],
    state?: GridState,
  ) {
    super(space, options.seed, undefined, state);
    this.cursor = state?.cursor ?? 0;
  }
  ask(): Trial {
    const t = ((this.cursor++ * this.options.step) % 64) / 64;
    return this.ledger.add(this.space.fromCube(this.space.dims.map(() => t)));
  }
  toJSON(): SamplerState {
    const s: GridState = { kind: 'toy-grid', version: 1, options: this.options, ...this.baseState(), cursor: this.cursor };
    return s;
  }
}

const toyGrid: SamplerDescriptor = {
  name: 'toy-grid',
  kind: 'toy-grid',
  multiFidelity: false,
  vectorObjective: false,
  options: z.strictObject({ seed: z.number().int(), direction: z.enum(['minimize', 'maximize']), step: z.number().int().min(1).max(63) }),
  snapshot: { cursor: z.number().int().min(0) },
  crossCheck: (state, _space, add) => {
    const n = (state.ledger as { records: unknown[] }).records.length;
    if ((state.cursor as number) > n) add(['cursor'], `is ${String(state.cursor)}, more than the ${n} trials issued`);
  },
  create: (space, s) => new GridSampler(space, { seed: s.seed, direction: s.directions[0]!, step: 5 }),
  restore: (state) => new GridSampler(state.space, (state as GridState).options, state as GridState),
};

const spec = (sampler: string) =>
  parseStudySpec({ name: 'toy', storage: '/tmp/toy', space: 'cifar-tiny', data: { train: { uri: '/tmp/d', valCount: 10 } }, hpo: { sampler, trials: 6 } });

test('a sampler unknown to the registry is refused by the spec, naming the field and the known ones', () => {
  assert.throws(
    () => spec('toy-grid'),
    (e: unknown) => e instanceof InvalidInputError && /hpo\.sampler: unknown sampler "toy-grid"; one of random, sobol, gp/.test(e.message),
  );
});

test('a registered toy sampler runs through spec validation, the study factory, snapshot and restore', () => {
  registerSampler(toyGrid);
  assert.equal(samplerDescriptor('toy-grid'), toyGrid);
  assert.throws(() => registerSampler(toyGrid), /exists already/);
  const s = spec('toy-grid');
  assert.equal(s.hpo.sampler, 'toy-grid');
  assert.equal(vectorObjective(s), false);
  assert.equal(MULTI_FIDELITY_SAMPLERS.has('toy-grid'), false);
  const schema = JSON.stringify(studySpecJsonSchema());
  assert.match(schema, /"bohb","toy-grid"\]/, 'the JSON Schema lists it after the built-in samplers');

  // The study's proposal path: built from the spec, then restored from each snapshot.
  const first = proposeTrials({ spec: s, samplerState: null, tells: [], n: 2 });
  assert.equal(first.samplerState.kind, 'toy-grid');
  const tells = first.trials.map((t) => ({ trialId: t.trialId, outcome: { status: 'ok' as const, value: t.trialId } }));
  const second = proposeTrials({ spec: s, samplerState: JSON.parse(JSON.stringify(first.samplerState)), tells, n: 2 });
  const straight = new GridSampler(first.samplerState.space, { seed: 0, direction: 'maximize', step: 5 });
  const all = [straight.ask(), straight.ask()];
  for (const t of all) straight.tell(t.trialId, { status: 'ok', value: t.trialId });
  assert.deepEqual(second.trials, [straight.ask(), straight.ask()]);
  assert.deepEqual(second.samplerState, straight.toJSON());

  // Its own fields and bounds are checked like a built-in's, with the shared ones (ledger, rng).
  const good = JSON.parse(JSON.stringify(second.samplerState)) as GridState;
  const refused = (edit: (x: Record<string, unknown>) => void, field: RegExp) => {
    const copy = structuredClone(good) as unknown as Record<string, unknown>;
    edit(copy);
    assert.throws(
      () => restoreSampler(copy as never),
      (e: unknown) => e instanceof InvalidInputError && e.code === 'INVALID_SNAPSHOT' && field.test(e.message),
      String(field),
    );
  };
  refused((x) => void (x.cursor = 99), /sampler state\.cursor: is 99, more than the 4 trials issued/);
  refused((x) => void ((x.options as { step: number }).step = 1e9), /sampler state\.options\.step/);
  refused((x) => void delete x.cursor, /sampler state\.cursor: missing/);
  refused((x) => void (x.rng = [0, 0, 0, 0]), /sampler state\.rng: the all-zero state/);
  refused((x) => void ((x.ledger as { records: { trialId: number }[] }).records[0]!.trialId = 3), /records\[0\]\.trialId: is 3 at position 0/);
  const restored = restoreSampler(good as never);
  assert.equal(restored.kind, 'toy-grid');
  assert.deepEqual(restored.trials(), (second.samplerState as GridState).ledger.records);
});

test('a registration that clashes with a built-in name or restores nothing is refused', () => {
  assert.throws(() => registerSampler({ ...toyGrid, name: 'gp', kind: 'gp' }), /a sampler named 'gp' exists already/);
  assert.throws(() => registerSampler({ ...toyGrid, name: 'toy-variant', kind: 'toy-none' }), /kind 'toy-none', which no sampler restores/);
});
