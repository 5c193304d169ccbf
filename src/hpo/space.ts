/**
 * Typed search spaces: float (linear or log), int (linear or log) and categorical parameters.
 *
 * A space has two numeric views:
 * - the *cube*: one coordinate in [0, 1) per parameter, used by random and Sobol sampling so that
 *   every parameter, even a categorical one, gets its own low-discrepancy axis;
 * - the *features*: the unit-cube encoding the Gaussian process sees. Floats and ints map linearly
 *   (or in log space) onto [0, 1]; a categorical with k choices becomes k one-hot columns.
 * Decoding features rounds ints and takes the arg-max one-hot column, so `project` (decode, then
 * encode) maps any feature vector to the nearest valid point; the acquisition is evaluated on projected
 * points only (Garrido-Merchan & Hernandez-Lobato, Neurocomputing 2020), so the GP never scores a
 * point that cannot be run.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors';

export type ParamValue = number | string;
/** A concrete assignment: parameter name -> value. */
export type Params = Readonly<Record<string, ParamValue>>;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const floatSchema = z.strictObject({
  type: z.literal('float'),
  low: finite,
  high: finite,
  log: z.boolean().optional(),
  default: finite.optional(),
});
const intSchema = z.strictObject({
  type: z.literal('int'),
  low: z.number().int('must be an integer'),
  high: z.number().int('must be an integer'),
  log: z.boolean().optional(),
  default: z.number().int('must be an integer').optional(),
});
const categoricalSchema = z.strictObject({
  type: z.literal('categorical'),
  choices: z.array(z.union([z.string(), finite])).min(1, 'needs at least one choice'),
  default: z.union([z.string(), finite]).optional(),
});

const paramSchema = z.discriminatedUnion('type', [floatSchema, intSchema, categoricalSchema]).superRefine((p, ctx) => {
  if (p.type === 'categorical') {
    const seen = new Set<ParamValue>();
    p.choices.forEach((c, i) => {
      if (seen.has(c)) ctx.addIssue({ code: 'custom', path: ['choices', i], message: `duplicate choice ${JSON.stringify(c)}` });
      seen.add(c);
    });
    if (p.default !== undefined && !seen.has(p.default)) {
      ctx.addIssue({ code: 'custom', path: ['default'], message: `${JSON.stringify(p.default)} is not one of the choices` });
    }
    return;
  }
  if (!(p.low < p.high) && !(p.type === 'int' && p.low === p.high)) {
    ctx.addIssue({ code: 'custom', path: ['high'], message: `must be greater than low (low ${p.low}, high ${p.high})` });
  }
  if (p.log && p.low <= 0) ctx.addIssue({ code: 'custom', path: ['low'], message: `must be > 0 for a log-scaled parameter (got ${p.low})` });
  if (p.default !== undefined && (p.default < p.low || p.default > p.high)) {
    ctx.addIssue({ code: 'custom', path: ['default'], message: `${p.default} is outside [${p.low}, ${p.high}]` });
  }
});

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/**
 * Names every JavaScript object already has. As keys of a params object they would set its prototype
 * or read an inherited property, and zod's records drop a `__proto__` key silently, so such a parameter
 * would vanish and the sampler optimise a smaller space. Refused by name instead.
 */
export const RESERVED_PARAM_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** The reserved names among an object's own keys (checked before zod sees the object). */
export function reservedKeys(v: unknown): string[] {
  return typeof v === 'object' && v !== null ? Object.keys(v).filter((k) => RESERVED_PARAM_NAMES.includes(k)) : [];
}

/** The message for a reserved parameter name. */
export function reservedNameMessage(name: string): string {
  return `parameter name ${JSON.stringify(name)} is reserved (${RESERVED_PARAM_NAMES.join(', ')} name properties every object has): rename it`;
}

const spaceSchema = z
  .record(z.string().regex(NAME, 'parameter names must match /^[A-Za-z_][A-Za-z0-9_.-]*$/'), paramSchema)
  .refine((r) => Object.keys(r).length > 0, 'a space needs at least one parameter');

/** JSON description of one parameter. */
export type ParamSpec =
  | { readonly type: 'float'; readonly low: number; readonly high: number; readonly log?: boolean; readonly default?: number }
  | { readonly type: 'int'; readonly low: number; readonly high: number; readonly log?: boolean; readonly default?: number }
  | { readonly type: 'categorical'; readonly choices: readonly ParamValue[]; readonly default?: ParamValue };
/** JSON description of a space: parameter name -> spec. */
export type SpaceSpec = Readonly<Record<string, ParamSpec>>;

function formatIssues(what: string, issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[]): string {
  const lines = issues.map((i) => `  ${[what, ...i.path.map(String)].join('.')}: ${i.message}`);
  return `invalid ${what} (${issues.length} error${issues.length > 1 ? 's' : ''}):\n${lines.join('\n')}`;
}

interface Dim {
  readonly name: string;
  readonly spec: ParamSpec;
  /** First feature column of this parameter. */
  readonly offset: number;
  /** Number of feature columns (1, or k for a categorical). */
  readonly width: number;
}

/** A validated, immutable space. Parameters are ordered by name so the encoding is canonical. */
export class Space {
  readonly spec: SpaceSpec;
  readonly dims: readonly Dim[];
  /** Number of feature columns (GP input dimension). */
  readonly featureDim: number;

  private constructor(spec: SpaceSpec) {
    this.spec = spec;
    let offset = 0;
    this.dims = Object.keys(spec)
      .sort()
      .map((name) => {
        const s = spec[name]!;
        const width = s.type === 'categorical' ? s.choices.length : 1;
        const d = { name, spec: s, offset, width };
        offset += width;
        return d;
      });
    this.featureDim = offset;
  }

  /** Validates `spec`, reporting every problem with its field path, e.g. `space.lambda.low`. */
  static from(spec: unknown): Space {
    const reserved = reservedKeys(spec);
    if (reserved.length > 0) {
      const issues = reserved.map((k) => ({ path: [k], message: reservedNameMessage(k) }));
      throw new InvalidInputError(formatIssues('space', issues), { code: 'INVALID_SPACE' });
    }
    const r = spaceSchema.safeParse(spec);
    if (!r.success) throw new InvalidInputError(formatIssues('space', r.error.issues), { code: 'INVALID_SPACE' });
    return new Space(r.data);
  }

  get names(): string[] {
    return this.dims.map((d) => d.name);
  }

  /** Maps one cube coordinate per parameter (each in [0, 1)) to a valid assignment. */
  fromCube(u: readonly number[]): Params {
    const out: Record<string, ParamValue> = {};
    this.dims.forEach((d, i) => {
      const t = Math.min(Math.max(u[i]!, 0), 1 - 1e-16);
      const s = d.spec;
      if (s.type === 'categorical') out[d.name] = s.choices[Math.floor(t * s.choices.length)]!;
      else if (s.type === 'float') out[d.name] = fromUnit(t, s.low, s.high, s.log);
      else {
        // Widen by half a step each side so every integer gets an equal share of the cube.
        // log ints have low >= 1, so low - 0.5 > 0.
        const v = s.log ? Math.exp(Math.log(s.low - 0.5) + t * (Math.log(s.high + 0.5) - Math.log(s.low - 0.5))) : s.low - 0.5 + t * (s.high - s.low + 1);
        out[d.name] = Math.min(s.high, Math.max(s.low, Math.round(v)));
      }
    });
    return out;
  }

  /** Encodes an assignment as GP features in [0, 1]. Throws on missing or out-of-range values. */
  toFeatures(params: Params): number[] {
    const f = new Array<number>(this.featureDim).fill(0);
    for (const d of this.dims) {
      const v = params[d.name];
      const s = d.spec;
      if (s.type === 'categorical') {
        const k = s.choices.indexOf(v!);
        if (k < 0) throw new InvalidInputError(`parameter ${d.name}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s.choices)}`);
        f[d.offset + k] = 1;
      } else {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < s.low || v > s.high) {
          throw new InvalidInputError(`parameter ${d.name}: ${JSON.stringify(v)} is not a number in [${s.low}, ${s.high}]`);
        }
        f[d.offset] = s.low === s.high ? 0.5 : toUnit(v, s.low, s.high, s.log);
      }
    }
    return f;
  }

  /** Decodes features (clamped to [0, 1]): ints are rounded, categoricals take the arg-max column. */
  fromFeatures(f: readonly number[]): Params {
    const out: Record<string, ParamValue> = {};
    for (const d of this.dims) {
      const s = d.spec;
      if (s.type === 'categorical') {
        let best = 0;
        for (let k = 1; k < d.width; k++) if (f[d.offset + k]! > f[d.offset + best]!) best = k;
        out[d.name] = s.choices[best]!;
        continue;
      }
      const t = Math.min(Math.max(f[d.offset]!, 0), 1);
      const v = fromUnit(t, s.low, s.high, s.log);
      out[d.name] = s.type === 'int' ? Math.min(s.high, Math.max(s.low, Math.round(v))) : v;
    }
    return out;
  }

  /** Nearest valid feature vector: decode then encode. */
  project(f: readonly number[]): number[] {
    return this.toFeatures(this.fromFeatures(f));
  }

  /** True for feature columns that may be refined continuously (floats and ints, not one-hot). */
  continuousMask(): boolean[] {
    const m = new Array<boolean>(this.featureDim).fill(false);
    for (const d of this.dims) if (d.spec.type !== 'categorical') m[d.offset] = true;
    return m;
  }

  /** The defaults of every parameter that has one (others take the middle of their range). */
  defaults(): Params {
    const out: Record<string, ParamValue> = {};
    for (const d of this.dims) {
      const s = d.spec;
      if (s.default !== undefined) out[d.name] = s.default;
      else if (s.type === 'categorical') out[d.name] = s.choices[0]!;
      else out[d.name] = this.fromFeatures(new Array(this.featureDim).fill(0.5))[d.name]!;
    }
    return out;
  }
}

function toUnit(v: number, low: number, high: number, log?: boolean): number {
  const t = log ? (Math.log(v) - Math.log(low)) / (Math.log(high) - Math.log(low)) : (v - low) / (high - low);
  return Math.min(Math.max(t, 0), 1);
}

function fromUnit(t: number, low: number, high: number, log?: boolean): number {
  const v = log ? Math.exp(Math.log(low) + t * (Math.log(high) - Math.log(low))) : low + t * (high - low);
  return Math.min(Math.max(v, low), high); // exp/log round-off must not leave the bounds
}
