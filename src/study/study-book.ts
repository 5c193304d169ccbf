/**
 * The study's ledger as a plain, deterministic class: trials by id, what each produced, the
 * accuracy-latency front, the scalar objective the samplers see, and compute accounting. The study
 * workflow owns one (and carries its JSON across continue-as-new); the report reads its summary.
 */
import { mnasReward } from '../hpo/objectives';
import { hypervolume2d, paretoFront2d, selectForLatencyTarget } from '../hpo/pareto';
import type { TrialOutcome } from '../hpo/sampler';
import type { Params } from '../hpo/space';
import type { ComputeSeconds, FrontMember, StudyStatus, TrialRecord, TrialResult } from './records';

export interface StudyBookOptions {
  latency: 'measured' | 'predicted';
  targetMs: number;
  largestMs: number;
  /** Multi-fidelity studies rank only full-fidelity trials on the front (when there are any). */
  multiFidelity: boolean;
}

export interface StudyBookState {
  trials: TrialRecord[];
  compute: ComputeSeconds;
  hypervolume: Array<{ finished: number; hv: number }>;
}

export const NO_COMPUTE: ComputeSeconds = { profile: 0, warmup: 0, search: 0, retrain: 0, evaluate: 0, final: 0, savedByWarmup: 0 };

export class StudyBook {
  private readonly trials = new Map<number, TrialRecord>();
  readonly compute: ComputeSeconds;
  readonly hypervolume: Array<{ finished: number; hv: number }>;

  constructor(
    readonly options: StudyBookOptions,
    state?: StudyBookState,
  ) {
    for (const t of state?.trials ?? []) this.trials.set(t.trialId, t);
    this.compute = { ...NO_COMPUTE, ...state?.compute };
    this.hypervolume = [...(state?.hypervolume ?? [])];
  }

  toJSON(): StudyBookState {
    return { trials: this.records(), compute: { ...this.compute }, hypervolume: [...this.hypervolume] };
  }

  records(): TrialRecord[] {
    return [...this.trials.values()].sort((a, b) => a.trialId - b.trialId);
  }

  get(trialId: number): TrialRecord | undefined {
    return this.trials.get(trialId);
  }

  start(t: { trialId: number; configId?: number; budget?: number; fidelity: number; params: Params }, now: number): void {
    this.trials.set(t.trialId, { ...t, state: 'running', startedAt: now });
  }

  finish(trialId: number, result: TrialResult, now: number): TrialRecord {
    const t = this.must(trialId);
    const latencyMs = this.options.latency === 'measured' && result.measuredMs !== undefined ? result.measuredMs : result.predictedMs;
    const done: TrialRecord = { ...t, state: 'ok', result, latencyMs, endedAt: now };
    this.trials.set(trialId, done);
    this.addSeconds({ search: result.seconds.search, retrain: result.seconds.retrain, evaluate: result.seconds.evaluate });
    this.hypervolume.push({ finished: this.finishedCount(), hv: this.currentHypervolume() });
    return done;
  }

  fail(trialId: number, failure: { type: string; message: string }, now: number): TrialRecord {
    const done: TrialRecord = { ...this.must(trialId), state: 'failed', failure, endedAt: now };
    this.trials.set(trialId, done);
    return done;
  }

  addSeconds(s: Partial<ComputeSeconds>): void {
    for (const [k, v] of Object.entries(s) as Array<[keyof ComputeSeconds, number]>) this.compute[k] += v;
  }

  /** The sampler's view of a finished trial: [top-1, latency] for ParEGO, else the MnasNet reward. */
  outcomeFor(trialId: number, vector: boolean): TrialOutcome {
    const t = this.must(trialId);
    if (t.state === 'failed') return { status: 'failed', reason: `${t.failure?.type}: ${t.failure?.message}`.slice(0, 500) };
    if (t.state !== 'ok' || !t.result || t.latencyMs === undefined) throw new Error(`trial ${trialId} has no outcome yet`);
    const top1 = t.result.top1;
    return { status: 'ok', value: vector ? [top1, t.latencyMs] : mnasReward(top1, Math.max(t.latencyMs, 1e-6), { targetMs: this.options.targetMs }) };
  }

  private must(trialId: number): TrialRecord {
    const t = this.trials.get(trialId);
    if (!t) throw new Error(`unknown trial ${trialId}`);
    return t;
  }

  finishedCount(): number {
    return this.records().filter((t) => t.state !== 'running').length;
  }

  /** Trials that compete on the front: ok ones (for multi-fidelity studies, at full fidelity when any is). */
  private contenders(): TrialRecord[] {
    const ok = this.records().filter((t) => t.state === 'ok');
    if (!this.options.multiFidelity) return ok;
    const full = ok.filter((t) => t.fidelity >= 1);
    return full.length ? full : ok;
  }

  front(): FrontMember[] {
    const c = this.contenders();
    const idx = paretoFront2d(
      c.map((t) => [t.result!.top1, t.latencyMs!]),
      ['maximize', 'minimize'],
    );
    return idx.map((i) => member(c[i]!));
  }

  /** The most accurate contender within the latency target; else the fastest (not within target). */
  selected(): { member: FrontMember; met: boolean } | undefined {
    const c = this.contenders();
    if (!c.length) return undefined;
    const sel = selectForLatencyTarget(
      c.map((t) => ({ accuracy: t.result!.top1, latencyMs: t.latencyMs!, t })),
      this.options.targetMs,
    );
    return { member: member(sel.met ? sel.model.t : sel.fastest.t), met: sel.met };
  }

  currentHypervolume(): number {
    const c = this.contenders();
    if (!c.length) return 0;
    return hypervolume2d(
      c.map((t) => [t.result!.top1, t.latencyMs!]),
      [0, 1.5 * this.options.largestMs],
      ['maximize', 'minimize'],
    );
  }

  status(base: { study: string; state: StudyStatus['state']; planned: number; parallelism: number; startedAt: number; now: number }): StudyStatus {
    const r = this.records();
    const count = (s: TrialRecord['state']) => r.filter((t) => t.state === s).length;
    const sel = this.selected();
    return {
      study: base.study,
      state: base.state,
      trials: { total: r.length, running: count('running'), ok: count('ok'), failed: count('failed'), planned: base.planned },
      parallelism: base.parallelism,
      ...(sel?.met ? { best: sel.member } : {}),
      front: this.front(),
      compute: { ...this.compute },
      hypervolume: [...this.hypervolume],
      startedAt: base.startedAt,
      now: base.now,
    };
  }
}

function member(t: TrialRecord): FrontMember {
  return {
    trialId: t.trialId,
    architecture: t.result!.architecture,
    top1: t.result!.top1,
    latencyMs: t.latencyMs!,
    ...(typeof t.params.lambda === 'number' ? { lambda: t.params.lambda } : {}),
  };
}
