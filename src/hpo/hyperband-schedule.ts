/**
 * The bracket schedule of Hyperband (Li, Jamieson, DeSalvo, Rostamizadeh & Talwalkar, "Hyperband: A
 * Novel Bandit-Based Approach to Hyperparameter Optimization", JMLR 2018, Algorithm 1).
 *
 * With maximum budget R, minimum budget r_min and reduction factor eta, s_max = floor(log_eta(R / r_min))
 * and bracket s = s_max..0 starts n = ceil((s_max + 1) / (s + 1) * eta^s) configurations at budget
 * r = R eta^-s; rung i of that successive-halving run keeps n_i = floor(n eta^-i) configurations at
 * r_i = r eta^i. For R = 81, eta = 3 this is the paper's Table 1.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import type { IssueSink } from './sampler-descriptor';
import { finite, positive, seed, direction } from './snapshot-fields';

/** One successive-halving rung. */
export interface Rung {
  readonly n: number;
  readonly budget: number;
}

/** One Hyperband bracket: its index s and rungs from the widest to the single largest-budget one. */
export interface Bracket {
  readonly s: number;
  readonly rungs: readonly Rung[];
}

const EPS = 1e-9;
/** s_max above this is refused: eta = 2 then already spans budgets 1..2^30. */
const MAX_BRACKET_INDEX = 30;
/** Budgets are epochs (or another unit of work): above a million of them a study would not end. */
export const MAX_BUDGET = 1e6;
/** A larger eta leaves one rung (plain random search at the largest budget). */
export const MAX_ETA = 1000;

/** Validates (R, eta, r_min) and returns s_max. */
export function maxBracketIndex(maxBudget: number, eta: number, minBudget: number): number {
  const bad = (field: string, why: string) => new InvalidInputError(`${field}: ${why}`, { code: 'INVALID_OPTIONS' });
  if (!(Number.isFinite(eta) && eta > 1 && eta <= MAX_ETA)) throw bad('options.eta', `must be a number > 1 and <= ${MAX_ETA}, got ${eta}`);
  if (!(Number.isFinite(minBudget) && minBudget > 0)) throw bad('options.minBudget', `must be > 0, got ${minBudget}`);
  if (!(maxBudget >= minBudget && maxBudget <= MAX_BUDGET))
    throw bad('options.maxBudget', `must be >= minBudget (${minBudget}) and <= ${MAX_BUDGET}, got ${maxBudget}`);
  // Count multiplications instead of taking a floating-point logarithm: log(81)/log(3) is not exactly 4.
  let s = 0;
  while (minBudget * eta ** (s + 1) <= maxBudget * (1 + EPS)) {
    // An eta barely above 1 would make millions of brackets (and hang the constructor or a restore).
    if (++s > MAX_BRACKET_INDEX)
      throw bad(
        'options.eta',
        `gives more than ${MAX_BRACKET_INDEX + 1} rungs between minBudget ${minBudget} and maxBudget ${maxBudget} (eta ${eta}); use a larger eta (3 is usual)`,
      );
  }
  return s;
}

/** Budgets are epoch counts; strip round-off such as 26.999999999999996 from R / eta^s * eta^i. */
function clean(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) < 1e-9 * Math.max(1, x) ? r : x;
}

/** eta^-i applied to x, floored, robust to round-off (floor(34 / 3^3) must be 1, not 0.99999). */
function floorDiv(x: number, eta: number, i: number): number {
  return Math.floor(x / eta ** i + EPS);
}

/** All brackets of one Hyperband iteration, in the order they run (s = s_max first). */
export function hyperbandBrackets(maxBudget: number, eta: number, minBudget = 1): Bracket[] {
  const sMax = maxBracketIndex(maxBudget, eta, minBudget);
  const brackets: Bracket[] = [];
  for (let s = sMax; s >= 0; s--) {
    const n = Math.ceil(((sMax + 1) / (s + 1)) * eta ** s - EPS);
    const r = maxBudget / eta ** s;
    const rungs: Rung[] = [];
    for (let i = 0; i <= s; i++) rungs.push({ n: floorDiv(n, eta, i), budget: clean(r * eta ** i) });
    brackets.push({ s, rungs });
  }
  return brackets;
}

/** The rung budgets r_min eta^k <= R used by ASHA (Li et al., MLSys 2020). */
export function rungBudgets(maxBudget: number, eta: number, minBudget = 1): number[] {
  const sMax = maxBracketIndex(maxBudget, eta, minBudget);
  return Array.from({ length: sMax + 1 }, (_, k) => clean(maxBudget / eta ** (sMax - k)));
}

/** The options of Hyperband, BOHB and ASHA as a snapshot stores them (the schedule checks the rest). */
export const bandOptionsSchema = z.strictObject({
  seed,
  direction,
  maxBudget: positive.refine((v) => v <= MAX_BUDGET, `must be <= ${MAX_BUDGET}`),
  eta: finite.refine((v) => v > 1, 'must be > 1').refine((v) => v <= MAX_ETA, `must be <= ${MAX_ETA}`),
  minBudget: positive,
});

/**
 * What every multi-fidelity snapshot must satisfy: its options give a schedule, and no configId in the
 * ledger reaches `nextConfigId` (new configurations would reuse it). Returns the schedule's bracket
 * indices and rung count, or undefined when the options give none (reported).
 */
export function checkBandSnapshot(state: Readonly<Record<string, unknown>>, add: IssueSink): { sValues: number[]; rungCount: number } | undefined {
  const o = state.options as z.infer<typeof bandOptionsSchema>;
  let sched: { sValues: number[]; rungCount: number };
  try {
    sched = { sValues: hyperbandBrackets(o.maxBudget, o.eta, o.minBudget).map((b) => b.s), rungCount: rungBudgets(o.maxBudget, o.eta, o.minBudget).length };
  } catch (e) {
    add(['options'], (e as Error).message);
    return undefined;
  }
  const nextConfigId = state.nextConfigId as number;
  (state.ledger as { records: { configId?: number }[] }).records.forEach((r, i) => {
    if (r.configId !== undefined && r.configId >= nextConfigId)
      add(['ledger', 'records', i, 'configId'], `is ${r.configId}, not below nextConfigId ${nextConfigId}: new configurations would reuse it`);
  });
  return sched;
}
