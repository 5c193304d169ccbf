/**
 * Validation of sampler snapshots (`toJSON()` output) before anything is rebuilt from them. A snapshot
 * comes back from a workflow history, a file or a database and may be truncated, edited, from another
 * version, or hostile, so every field is checked (zod), then the parts that must agree with each other:
 * parameters against the space, trial ids against their positions (ids are issued as the count of
 * trials, so a hole or a restart would hand out ids an orchestrator already holds), references between
 * the schedule and the ledger, and counters that must stay ahead of every id issued. Every problem is
 * reported with its field path in one InvalidInputError (code INVALID_SNAPSHOT).
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { BATCH_STRATEGIES, FAILED_TRIAL_POLICIES, HYPER_PRIORS, INCUMBENT_RULES, OUTPUT_TRANSFORMS } from './gp-sampler';
import { hyperbandBrackets, rungBudgets } from './hyperband-schedule';
import type { SamplerKind, SamplerState } from './sampler';
import { SOBOL_MAX_DIM } from './sobol';
import { Space } from './space';

/** The snapshot format this library writes and reads. */
export const SNAPSHOT_VERSION = 1;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const positive = finite.refine((v) => v > 0, 'must be > 0');
const count = z.number().int('must be an integer').min(0, 'must be >= 0');
const u32 = z.number().int('must be an integer').min(0, 'must be a uint32 word (0..4294967295)').max(0xffffffff, 'must be a uint32 word (0..4294967295)');
const seed = z.number().refine(Number.isSafeInteger, 'must be a safe integer');
const direction = z.enum(['minimize', 'maximize']);

const prng = z
  .tuple([u32, u32, u32, u32])
  .refine((w) => (w[0] | w[1] | w[2] | w[3]) !== 0, 'the all-zero state is a fixed point of xoshiro128** (it would repeat forever)');

const record = z.strictObject({
  trialId: count,
  params: z.record(z.string(), z.union([finite, z.string()])),
  budget: positive.optional(),
  configId: count.optional(),
  state: z.enum(['pending', 'ok', 'failed']),
  value: z.union([finite, z.array(finite)]).optional(),
  reason: z.string().optional(),
});

const ledger = z.strictObject(
  { records: z.array(record) },
  'must be { records: [...] } (the trial history): without it a restored sampler would restart trial ids at 0',
);

const sobol = z.strictObject({
  dim: z.number().int().min(1).max(SOBOL_MAX_DIM),
  index: count,
  shift: z.array(u32),
});

const hyper = z.strictObject({ lengthscales: z.array(positive), signalVar: positive, noiseVar: positive });
const classifierHyper = z.strictObject({ lengthscales: z.array(positive), signalVar: positive });

const base = { version: z.literal(SNAPSHOT_VERSION), space: z.custom<unknown>((v) => v !== undefined, 'missing: the parameter space'), rng: prng, ledger };

const gpOptions = z.strictObject({
  seed,
  direction,
  nInitial: z.number().int().min(1),
  batchStrategy: z.enum(BATCH_STRATEGIES),
  failedTrials: z.enum(FAILED_TRIAL_POLICIES),
  // Absent in snapshots written before the option existed; they meant the lowest observation.
  incumbent: z.enum(INCUMBENT_RULES).default('observed'),
  nCandidates: z.number().int().min(16),
  fitRestarts: count,
  maxFitPoints: z.number().int().min(8),
  hyperPrior: z.enum(HYPER_PRIORS),
  outputTransform: z.enum(OUTPUT_TRANSFORMS),
  exploitEvery: count,
});
const gpFields = {
  ...base,
  options: gpOptions,
  sobol: sobol.nullable(),
  hyper: hyper.nullable(),
  failureHyper: classifierHyper.nullable().optional(),
};
const bandOptions = z.strictObject({ seed, direction, maxBudget: positive, eta: finite.refine((v) => v > 1, 'must be > 1'), minBudget: positive });
const runState = z.strictObject({
  s: count,
  rung: count,
  configs: z.array(z.strictObject({ configId: count, params: z.record(z.string(), z.union([finite, z.string()])) })),
  trialIds: z.array(count.nullable()),
});

const schemas = {
  random: z.strictObject({
    ...base,
    kind: z.literal('random'),
    options: z.strictObject({ seed, direction, sequence: z.enum(['uniform', 'sobol']) }),
    sobol: sobol.optional(),
  }),
  gp: z.strictObject({ ...gpFields, kind: z.literal('gp') }),
  parego: z.strictObject({
    ...gpFields,
    kind: z.literal('parego'),
    parego: z.strictObject({
      directions: z.array(direction).min(2, 'ParEGO needs at least two objectives'),
      rho: finite.refine((v) => v >= 0, 'must be >= 0'),
    }),
  }),
  hyperband: z.strictObject({ ...base, kind: z.literal('hyperband'), options: bandOptions, runs: z.array(runState), nextBracket: count, nextConfigId: count }),
  bohb: z.strictObject({ ...base, kind: z.literal('bohb'), options: bandOptions, runs: z.array(runState), nextBracket: count, nextConfigId: count }),
  asha: z.strictObject({
    ...base,
    kind: z.literal('asha'),
    options: bandOptions,
    rungs: z.array(z.array(count)),
    promoted: z.array(z.array(count)),
    nextConfigId: count,
  }),
} as const;

type Issue = { path: (string | number)[]; message: string };

function fail(issues: readonly Issue[], code = 'INVALID_SNAPSHOT'): never {
  const at = (path: readonly (string | number)[]) => path.reduce<string>((a, p) => (typeof p === 'number' ? `${a}[${p}]` : `${a}.${p}`), 'sampler state');
  const lines = issues.map((i) => `  ${at(i.path)}: ${i.message}`);
  throw new InvalidInputError(`invalid sampler state (${issues.length} error${issues.length > 1 ? 's' : ''}):\n${lines.join('\n')}`, { code });
}

/** Checks that need the space and the parts together; returns the problems found. */
function crossCheck(kind: SamplerKind, s: Record<string, unknown>, space: Space): Issue[] {
  const issues: Issue[] = [];
  const add = (path: (string | number)[], message: string) => issues.push({ path, message });
  const checkParams = (p: Record<string, unknown>, path: (string | number)[]) => {
    const extra = Object.keys(p).filter((k) => !space.names.includes(k));
    if (extra.length > 0) add(path, `parameters ${JSON.stringify(extra)} are not in the space`);
    try {
      space.toFeatures(p as never);
    } catch (e) {
      add(path, (e as Error).message);
    }
  };
  const records = (s.ledger as z.infer<typeof ledger>).records;
  const n = records.length;
  const arity = kind === 'parego' ? (s.parego as { directions: unknown[] }).directions.length : undefined;
  const multiFidelity = kind === 'hyperband' || kind === 'bohb' || kind === 'asha';
  records.forEach((r, i) => {
    const at = ['ledger', 'records', i];
    if (r.trialId !== i)
      add([...at, 'trialId'], `is ${r.trialId} at position ${i}: trial ids must be 0, 1, 2, ... in order, or new trials would reuse ids already issued`);
    checkParams(r.params, [...at, 'params']);
    if (r.state === 'ok') {
      if (r.value === undefined) add([...at, 'value'], 'an ok trial needs its value');
      else if (arity === undefined && typeof r.value !== 'number') add([...at, 'value'], 'must be a single number');
      else if (arity !== undefined && (!Array.isArray(r.value) || r.value.length !== arity)) add([...at, 'value'], `must be ${arity} numbers`);
    } else if (r.value !== undefined) add([...at, 'value'], `a ${r.state} trial has no value`);
    if (multiFidelity && (r.budget === undefined || r.configId === undefined)) add(at, 'a multi-fidelity trial needs budget and configId');
  });
  const sob = s.sobol as z.infer<typeof sobol> | null | undefined;
  if (sob) {
    if (sob.dim !== space.dims.length) add(['sobol', 'dim'], `is ${sob.dim}, the space has ${space.dims.length} parameters`);
    if (sob.shift.length !== sob.dim) add(['sobol', 'shift'], `needs ${sob.dim} words, has ${sob.shift.length}`);
    // Each Sobol point is one trial; a larger index is corrupt (and replaying it could take forever).
    if (sob.index > n) add(['sobol', 'index'], `is ${sob.index}, more than the ${n} trials issued`);
  }
  for (const key of ['hyper', 'failureHyper'] as const) {
    const h = s[key] as { lengthscales: number[] } | null | undefined;
    if (h && h.lengthscales.length !== space.featureDim)
      add([key, 'lengthscales'], `needs ${space.featureDim} values (one per feature column), has ${h.lengthscales.length}`);
  }
  if (multiFidelity) {
    const o = s.options as z.infer<typeof bandOptions>;
    let rungCount = 0;
    let sValues: number[] = [];
    try {
      sValues = hyperbandBrackets(o.maxBudget, o.eta, o.minBudget).map((b) => b.s);
      rungCount = rungBudgets(o.maxBudget, o.eta, o.minBudget).length;
    } catch (e) {
      add(['options'], (e as Error).message);
      return issues;
    }
    const nextConfigId = s.nextConfigId as number;
    records.forEach((r, i) => {
      if (r.configId !== undefined && r.configId >= nextConfigId)
        add(['ledger', 'records', i, 'configId'], `is ${r.configId}, not below nextConfigId ${nextConfigId}: new configurations would reuse it`);
    });
    const ref = (id: number | null, path: (string | number)[]) => {
      if (id !== null && id >= n) add(path, `trial ${id} is not in the ledger (${n} trials)`);
    };
    if (kind === 'asha') {
      const rungs = s.rungs as number[][];
      const promoted = s.promoted as number[][];
      if (rungs.length !== rungCount) add(['rungs'], `needs ${rungCount} rungs for these options, has ${rungs.length}`);
      if (promoted.length !== rungCount) add(['promoted'], `needs ${rungCount} rungs for these options, has ${promoted.length}`);
      rungs.forEach((ids, k) => ids.forEach((id, j) => ref(id, ['rungs', k, j])));
    } else {
      (s.runs as z.infer<typeof runState>[]).forEach((run, k) => {
        if (!sValues.includes(run.s)) add(['runs', k, 's'], `is ${run.s}, not a bracket of these options (${sValues.join(', ')})`);
        else if (run.rung > run.s) add(['runs', k, 'rung'], `is ${run.rung}, bracket ${run.s} has rungs 0..${run.s}`);
        run.trialIds.forEach((id, j) => ref(id, ['runs', k, 'trialIds', j]));
        run.configs.forEach((c, j) => {
          checkParams(c.params, ['runs', k, 'configs', j, 'params']);
          if (c.configId >= nextConfigId) add(['runs', k, 'configs', j, 'configId'], `is ${c.configId}, not below nextConfigId ${nextConfigId}`);
        });
      });
    }
  }
  return issues;
}

/**
 * Parses and validates a snapshot (an object or its JSON text); returns it with defaults for fields
 * that older snapshots of the same version lack. Throws InvalidInputError naming every bad field.
 */
export function parseSnapshot(state: unknown): SamplerState {
  let s = state;
  if (typeof s === 'string') {
    try {
      s = JSON.parse(s);
    } catch (e) {
      throw new InvalidInputError(`sampler state: not valid JSON (${(e as Error).message})`, { code: 'INVALID_SNAPSHOT' });
    }
  }
  if (typeof s !== 'object' || s === null || Array.isArray(s))
    fail([{ path: [], message: `must be an object (a sampler's toJSON()), got ${s === null ? 'null' : Array.isArray(s) ? 'an array' : typeof s}` }]);
  const o = s as Record<string, unknown>;
  if (o.version !== SNAPSHOT_VERSION) {
    fail(
      [
        {
          path: ['version'],
          message: `unsupported version ${JSON.stringify(o.version)}; this library reads version ${SNAPSHOT_VERSION} (restore it with the version that wrote it)`,
        },
      ],
      'UNSUPPORTED_SNAPSHOT_VERSION',
    );
  }
  const kind = o.kind as SamplerKind;
  if (!Object.hasOwn(schemas, kind as string))
    fail([{ path: ['kind'], message: `unknown sampler ${JSON.stringify(o.kind)}; one of ${Object.keys(schemas).join(', ')}` }]);
  const r = schemas[kind].safeParse(o, { error: (iss) => (iss.code === 'invalid_type' && iss.input === undefined ? 'missing' : undefined) });
  if (!r.success) fail(r.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })));
  let space: Space;
  try {
    space = Space.from(r.data.space);
  } catch (e) {
    fail([{ path: ['space'], message: (e as Error).message.replace(/\n\s*/g, ' ') }]);
  }
  const issues = crossCheck(kind, r.data as Record<string, unknown>, space);
  if (issues.length > 0) fail(issues);
  return r.data as unknown as SamplerState;
}
