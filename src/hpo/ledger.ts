/**
 * The trial history a sampler keeps: ids, pending trials, outcomes, and the validation of `tell`
 * that every sampler shares (so they all reject NaN and unknown ids with the same clear message).
 */
import { InvalidInputError } from '../errors';
import type { Params } from './space';
import type { Trial, TrialOutcome, TrialRecord } from './sampler';

/** Serialised ledger. */
export interface LedgerState {
  readonly records: readonly TrialRecord[];
}

export class Ledger {
  private readonly records: TrialRecord[];
  /** Number of values an ok outcome must carry: undefined for a scalar, m for an m-vector. */
  private readonly arity: number | undefined;

  constructor(arity: number | undefined, state?: LedgerState) {
    this.arity = arity;
    this.records = state ? state.records.map((r) => ({ ...r })) : [];
  }

  add(params: Params, extra: { budget?: number; configId?: number } = {}): Trial {
    const trial: Trial = { trialId: this.records.length, params: { ...params }, ...extra };
    this.records.push({ ...trial, state: 'pending' });
    return trial;
  }

  get(trialId: number): TrialRecord {
    const r = Number.isInteger(trialId) ? this.records[trialId] : undefined;
    if (!r)
      throw new InvalidInputError(`trial ${trialId}: unknown trial id (this sampler has issued ${this.records.length} trials)`, { code: 'UNKNOWN_TRIAL' });
    return r;
  }

  /** Validates and records an outcome; returns false when it repeats the one already recorded. */
  tell(trialId: number, outcome: TrialOutcome): boolean {
    const r = this.get(trialId);
    const next = this.toRecord(r, outcome);
    if (r.state !== 'pending') {
      if (JSON.stringify(next) === JSON.stringify(r)) return false;
      throw new InvalidInputError(`trial ${trialId}: already told (${r.state}); a different second outcome is not accepted`, { code: 'TRIAL_ALREADY_TOLD' });
    }
    this.records[trialId] = next;
    return true;
  }

  private toRecord(r: TrialRecord, outcome: TrialOutcome): TrialRecord {
    const base: TrialRecord = {
      trialId: r.trialId,
      params: r.params,
      ...(r.budget !== undefined ? { budget: r.budget } : {}),
      ...(r.configId !== undefined ? { configId: r.configId } : {}),
      state: 'pending',
    };
    if (outcome.status === 'failed') return { ...base, state: 'failed', ...(outcome.reason !== undefined ? { reason: String(outcome.reason) } : {}) };
    if (outcome.status !== 'ok') throw new InvalidInputError(`trial ${r.trialId}: outcome status must be 'ok' or 'failed'`);
    const v = outcome.value;
    const bad = (why: string) =>
      new InvalidInputError(`trial ${r.trialId}: ${why}; report a crashed or diverged run as { status: 'failed' } instead`, { code: 'INVALID_OBSERVATION' });
    if (this.arity === undefined) {
      if (typeof v !== 'number') throw bad(`expected a single number, got ${JSON.stringify(v)}`);
      if (!Number.isFinite(v)) throw bad(`objective value is ${v}`);
      const variance = outcome.variance;
      if (variance !== undefined && !(Number.isFinite(variance) && variance >= 0))
        throw bad(`variance (the value's known noise) must be a finite number >= 0, got ${variance}`);
      return { ...base, state: 'ok', value: v, ...(variance !== undefined ? { variance } : {}) };
    }
    if (outcome.variance !== undefined) throw bad('a known variance is taken with a single value only, not with a vector of objectives');
    if (!Array.isArray(v) || v.length !== this.arity) throw bad(`expected ${this.arity} objective values, got ${JSON.stringify(v)}`);
    const i = v.findIndex((x: unknown) => typeof x !== 'number' || !Number.isFinite(x));
    if (i >= 0) throw bad(`objective ${i} is ${String(v[i])}`);
    return { ...base, state: 'ok', value: [...(v as number[])] };
  }

  all(): readonly TrialRecord[] {
    return this.records;
  }

  toJSON(): LedgerState {
    return { records: this.records.map((r) => ({ ...r })) };
  }
}
