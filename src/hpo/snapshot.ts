/**
 * Validation of sampler snapshots (`toJSON()` output) before anything is rebuilt from them. A snapshot
 * comes back from a workflow history, a file or a database and may be truncated, edited, from another
 * version, or hostile, so every field is checked (zod; the sampler's descriptor supplies its own fields
 * and options, every number bounded), then the parts that must agree with each other: parameters
 * against the space, trial ids against their positions (ids are issued as the count of trials, so a
 * hole or a restart would hand out ids an orchestrator already holds), and the descriptor's own
 * cross-checks (references between the schedule and the ledger, counters ahead of every id issued).
 * The problems are reported with their field paths in one InvalidInputError (code INVALID_SNAPSHOT),
 * the first {@link MAX_LISTED_ISSUES} of them and a count of the rest.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { samplerDescriptor, snapshotKinds } from './registry';
import type { SamplerState } from './sampler';
import type { IssueSink, SamplerDescriptor } from './sampler-descriptor';
import { checkParams, ledger, prng } from './snapshot-fields';
import { Space } from './space';

/** The snapshot format this library writes and reads. */
export const SNAPSHOT_VERSION = 1;
/** Problems listed in one error; a 50 MB ledger of bad ids gives a short message, not one line per record. */
export const MAX_LISTED_ISSUES = 20;

type Path = readonly (string | number)[];
type Issue = { path: Path; message: string };

/** Collects problems, keeping the first MAX_LISTED_ISSUES and counting the rest. */
class Issues {
  readonly listed: Issue[] = [];
  total = 0;
  readonly add: IssueSink = (path, message) => {
    if (this.total++ < MAX_LISTED_ISSUES) this.listed.push({ path, message });
  };
}

function fail(issues: Issues, code = 'INVALID_SNAPSHOT'): never {
  const at = (path: Path) => path.reduce<string>((a, p) => (typeof p === 'number' ? `${a}[${p}]` : `${a}.${p}`), 'sampler state');
  const lines = issues.listed.map((i) => `  ${at(i.path)}: ${i.message}`);
  const more = issues.total - issues.listed.length;
  if (more > 0) lines.push(`  ... and ${more} more`);
  throw new InvalidInputError(`invalid sampler state (${issues.total} error${issues.total > 1 ? 's' : ''}):\n${lines.join('\n')}`, { code });
}

function failWith(path: Path, message: string, code?: string): never {
  const issues = new Issues();
  issues.add(path, message);
  fail(issues, code);
}

// Schemas per kind, built from the descriptors when first needed (registered samplers included).
const schemas = new Map<string, z.ZodType>();
function schemaOf(d: SamplerDescriptor): z.ZodType {
  let s = schemas.get(d.kind);
  if (!s) {
    s = z.strictObject({
      version: z.literal(SNAPSHOT_VERSION),
      kind: z.literal(d.kind),
      space: z.custom<unknown>((v) => v !== undefined, 'missing: the parameter space'),
      rng: prng,
      ledger,
      options: d.options,
      ...d.snapshot,
    });
    schemas.set(d.kind, s);
  }
  return s;
}

/** zod's messages for a NaN or an infinity say only "Invalid input"; name the value instead. */
function message(iss: z.core.$ZodRawIssue): string | undefined {
  if (iss.code === 'invalid_type' && iss.input === undefined) return 'missing';
  if (typeof iss.input === 'number' && !Number.isFinite(iss.input)) return `is ${iss.input}: must be a finite number`;
  return undefined;
}

function tooMany(d: SamplerDescriptor, n: number): string {
  return `has ${n} trials, more than the '${d.name}' sampler serves (${d.maxTrials}: each proposal conditions on every trial); continue with a random or multi-fidelity sampler`;
}

/** Checks every sampler shares: the ledger against the space, ids against positions, values and budgets. */
function checkLedger(d: SamplerDescriptor, s: Record<string, unknown>, space: Space, add: IssueSink): void {
  const records = (s.ledger as z.infer<typeof ledger>).records;
  const arity = d.arity?.(s);
  records.forEach((r, i) => {
    const at = ['ledger', 'records', i];
    if (r.trialId !== i)
      add([...at, 'trialId'], `is ${r.trialId} at position ${i}: trial ids must be 0, 1, 2, ... in order, or new trials would reuse ids already issued`);
    checkParams(r.params, space, [...at, 'params'], add);
    if (r.state === 'ok') {
      if (r.value === undefined) add([...at, 'value'], 'an ok trial needs its value');
      else if (arity === undefined && typeof r.value !== 'number') add([...at, 'value'], 'must be a single number');
      else if (arity !== undefined && (!Array.isArray(r.value) || r.value.length !== arity)) add([...at, 'value'], `must be ${arity} numbers`);
    } else if (r.value !== undefined) add([...at, 'value'], `a ${r.state} trial has no value`);
    if (d.multiFidelity && (r.budget === undefined || r.configId === undefined)) add(at, 'a multi-fidelity trial needs budget and configId');
  });
}

/**
 * Parses and validates a snapshot (an object or its JSON text); returns it with defaults for fields
 * that older snapshots of the same version lack, and the descriptor that restores it. Throws
 * InvalidInputError naming the bad fields.
 */
export function parseSnapshotOf(state: unknown): { state: SamplerState; descriptor: SamplerDescriptor } {
  let s = state;
  if (typeof s === 'string') {
    try {
      s = JSON.parse(s);
    } catch (e) {
      throw new InvalidInputError(`sampler state: not valid JSON (${(e as Error).message.slice(0, 200)})`, { code: 'INVALID_SNAPSHOT' });
    }
  }
  if (typeof s !== 'object' || s === null || Array.isArray(s))
    failWith([], `must be an object (a sampler's toJSON()), got ${s === null ? 'null' : Array.isArray(s) ? 'an array' : typeof s}`);
  const o = s as Record<string, unknown>;
  if (o.version !== SNAPSHOT_VERSION)
    failWith(
      ['version'],
      `unsupported version ${JSON.stringify(o.version)}; this library reads version ${SNAPSHOT_VERSION} (restore it with the version that wrote it)`,
      'UNSUPPORTED_SNAPSHOT_VERSION',
    );
  const d = typeof o.kind === 'string' ? samplerDescriptor(o.kind) : undefined;
  if (!d || d.kind !== o.kind) failWith(['kind'], `unknown sampler ${JSON.stringify(o.kind)?.slice(0, 100)}; one of ${snapshotKinds().join(', ')}`);
  // A ledger longer than the sampler serves is refused before its records are parsed one by one.
  const records = (o.ledger as { records?: unknown } | undefined)?.records;
  if (d.maxTrials !== undefined && Array.isArray(records) && records.length > d.maxTrials) failWith(['ledger', 'records'], tooMany(d, records.length));
  const r = schemaOf(d).safeParse(o, { error: message });
  const issues = new Issues();
  if (!r.success) {
    for (const i of r.error.issues) issues.add(i.path as (string | number)[], i.message);
    fail(issues);
  }
  const parsed = r.data as Record<string, unknown>;
  let space: Space;
  try {
    space = Space.from(parsed.space);
  } catch (e) {
    failWith(['space'], (e as Error).message.replace(/\n\s*/g, ' '));
  }
  checkLedger(d, parsed, space, issues.add);
  d.crossCheck?.(parsed, space, issues.add);
  if (issues.total > 0) fail(issues);
  return { state: parsed as unknown as SamplerState, descriptor: d };
}

/** {@link parseSnapshotOf} without the descriptor. */
export function parseSnapshot(state: unknown): SamplerState {
  return parseSnapshotOf(state).state;
}
