/**
 * The study's ledger as a plain, deterministic class: trials by id, what each produced, the
 * accuracy-latency front, the scalar objective the samplers see, and compute accounting. The study
 * workflow owns one (and carries its JSON across continue-as-new); the report reads its summary.
 */
import { mnasReward } from '../hpo/objectives';
import { hypervolume2d, paretoFront2d } from '../hpo/pareto';
import type { TrialOutcome } from '../hpo/sampler';
import type { Params } from '../hpo/space';
import { proportionVariance } from '../stats/binomial';
import { top1Fields } from './accuracy';
import { emptyTableFit, addTableFit, tableFitSummary, type TableFitState } from './table-fit';
import type { ComputeSeconds, FrontMember, SelectionDecision, StudyStatus, TrialRecord, TrialResult } from './records';
import { resolvedFront, resolvedSelection, type Contender, type SelectionTieBreak, type TieBreak } from './resolved-ranking';

export interface StudyBookOptions {
  latency: 'measured' | 'predicted';
  targetMs: number;
  largestMs: number;
  /** Multi-fidelity studies rank only full-fidelity trials on the front (when there are any). */
  multiFidelity: boolean;
  /** How the selection at the target breaks a tie (resolved-ranking.ts); default 'top-1'. */
  selectionTieBreak?: SelectionTieBreak;
}

export interface StudyBookState {
  /** The live records: running trials and the members of the front(s). Every other finished record is in the store. */
  trials: TrialRecord[];
  /** Finished trials, counting the released ones (`cancelled` absent in states from before cancelled trials were counted). */
  finished?: { ok: number; failed: number; cancelled?: number };
  /** Every configuration id started so far (a multi-fidelity promotion continues its configuration). */
  configs?: number[];
  compute: ComputeSeconds;
  hypervolume: Array<{ finished: number; hv: number }>;
  /** How well the table predicted the measured networks (absent in states from before it was kept). */
  tableFit?: TableFitState;
}

export const NO_COMPUTE: ComputeSeconds = { profile: 0, warmup: 0, search: 0, retrain: 0, evaluate: 0, final: 0, savedByWarmup: 0 };

/**
 * Bounded by design: a finished trial that no front can ever include again is released (the workflow
 * has written it to the store), so the state carried across continue-as-new grows with the front and
 * the running trials, not with the number of trials. A dominated point stays dominated as trials are
 * added, so a released record is never needed again.
 */
export class StudyBook {
  private readonly trials = new Map<number, TrialRecord>();
  private readonly finished: { ok: number; failed: number; cancelled: number };
  private readonly configs: Set<number>;
  readonly compute: ComputeSeconds;
  readonly hypervolume: Array<{ finished: number; hv: number }>;
  readonly tableFit: TableFitState;

  constructor(
    readonly options: StudyBookOptions,
    state?: StudyBookState,
  ) {
    for (const t of state?.trials ?? []) this.trials.set(t.trialId, t);
    const live = state?.trials ?? [];
    const count = (s: TrialRecord['state']) => live.filter((t) => t.state === s).length;
    this.finished = { cancelled: 0, ...(state?.finished ?? { ok: count('ok'), failed: count('failed') }) };
    this.configs = new Set(state?.configs ?? live.map((t) => t.configId ?? t.trialId));
    this.compute = { ...NO_COMPUTE, ...state?.compute };
    this.hypervolume = [...(state?.hypervolume ?? [])];
    // JSON, not structuredClone: the workflow sandbox has no structuredClone
    this.tableFit = state?.tableFit ? (JSON.parse(JSON.stringify(state.tableFit)) as TableFitState) : emptyTableFit();
  }

  toJSON(): StudyBookState {
    return {
      trials: this.liveRecords(),
      finished: { ok: this.finished.ok, failed: this.finished.failed, ...(this.finished.cancelled ? { cancelled: this.finished.cancelled } : {}) },
      configs: [...this.configs].sort((a, b) => a - b),
      compute: { ...this.compute },
      hypervolume: [...this.hypervolume],
      ...(this.tableFit.count ? { tableFit: { ...this.tableFit, absErrHist: [...this.tableFit.absErrHist] } } : {}),
    };
  }

  /** Running trials and the fronts' members, by trial id. */
  liveRecords(): TrialRecord[] {
    return [...this.trials.values()].sort((a, b) => a.trialId - b.trialId);
  }

  get(trialId: number): TrialRecord | undefined {
    return this.trials.get(trialId);
  }

  /** Whether a trial of this configuration has been started before (a multi-fidelity promotion). */
  hasConfig(configId: number): boolean {
    return this.configs.has(configId);
  }

  start(t: { trialId: number; configId?: number; budget?: number; fidelity: number; params: Params }, now: number): void {
    this.trials.set(t.trialId, { ...t, state: 'running', startedAt: now });
    this.configs.add(t.configId ?? t.trialId);
  }

  finish(trialId: number, result: TrialResult, now: number): TrialRecord {
    const t = this.must(trialId);
    const latencyMs = this.options.latency === 'measured' && result.measuredMs !== undefined ? result.measuredMs : result.predictedMs;
    const done: TrialRecord = { ...t, state: 'ok', result, latencyMs, endedAt: now };
    this.trials.set(trialId, done);
    this.finished.ok++;
    if (result.measuredMs !== undefined) this.recordTableFit(result.predictedMs, result.measuredMs);
    this.addSeconds({ search: result.seconds.search, retrain: result.seconds.retrain, evaluate: result.seconds.evaluate });
    this.hypervolume.push({ finished: this.finishedCount(), hv: this.currentHypervolume() });
    this.release();
    return done;
  }

  /** Records the failure; the record is released at once (a failed trial is on no front). */
  fail(trialId: number, failure: { type: string; message: string }, now: number): TrialRecord {
    const done: TrialRecord = { ...this.must(trialId), state: 'failed', failure, endedAt: now };
    this.trials.delete(trialId);
    this.finished.failed++;
    return done;
  }

  /**
   * Records a trial whose own workflow was cancelled (an operator's `temporal workflow cancel`): released
   * at once like a failure; it does not count toward the planned trials (the study runs a replacement).
   */
  cancel(trialId: number, reason: string, now: number): TrialRecord {
    const done: TrialRecord = { ...this.must(trialId), state: 'cancelled', failure: { type: 'CANCELLED', message: reason }, endedAt: now };
    this.trials.delete(trialId);
    this.finished.cancelled++;
    return done;
  }

  /**
   * Forgets the finished records that no front can hold again (all ok trials; for multi-fidelity,
   * full-fidelity ones too): those on neither the point-estimate front nor the resolved one, and not
   * selected. The point-estimate front keeps every trial that a tie rule could still need.
   */
  private release(): void {
    const ok = this.liveRecords().filter((t) => t.state === 'ok');
    const keep = new Set<number>();
    const hold = (rs: TrialRecord[]) => {
      for (const t of frontOf(rs)) keep.add(t.trialId);
      for (const t of resolvedFront(rs.map(contender)).members) keep.add(t.trialId);
      const sel = rs.length ? resolvedSelection(rs.map(contender), this.options.targetMs, this.options.selectionTieBreak) : undefined;
      if (sel) keep.add(sel.chosen.trialId);
    };
    hold(ok);
    if (this.options.multiFidelity) hold(ok.filter((r) => r.fidelity >= 1));
    for (const t of ok) if (!keep.has(t.trialId)) this.trials.delete(t.trialId);
  }

  /** One more network both predicted by the table and measured (a trial's, or a final model's). */
  recordTableFit(predictedMs: number, measuredMs: number): void {
    addTableFit(this.tableFit, predictedMs, measuredMs);
  }

  addSeconds(s: Partial<ComputeSeconds>): void {
    for (const [k, v] of Object.entries(s) as Array<[keyof ComputeSeconds, number]>) this.compute[k] += v;
  }

  /**
   * The sampler's view of a finished trial (the record finish(), fail() or cancel() returned): [top-1,
   * latency] for ParEGO, else the MnasNet reward with its known noise: the binomial variance of the
   * top-1, p(1-p)/n, scaled by the latency factor squared (the reward is top-1 times a latency factor
   * that is measured, not sampled). A trial whose image count is unknown has no known noise. A cancelled trial is a failure to the sampler (the
   * ask/tell interface has no third outcome; a multi-fidelity sampler then never promotes it, which is
   * what pruning means), with a reason that says it was cancelled.
   */
  outcomeOf(t: TrialRecord, vector: boolean): TrialOutcome {
    if (t.state === 'failed' || t.state === 'cancelled') return { status: 'failed', reason: `${t.failure?.type}: ${t.failure?.message}`.slice(0, 500) };
    if (t.state !== 'ok' || !t.result || t.latencyMs === undefined) throw new Error(`trial ${t.trialId} has no outcome yet`);
    const top1 = t.result.top1;
    if (vector) return { status: 'ok', value: [top1, t.latencyMs] };
    const latencyMs = Math.max(t.latencyMs, 1e-6);
    const factor = mnasReward(1, latencyMs, { targetMs: this.options.targetMs });
    const n = t.result.images;
    const variance = n !== undefined && top1 >= 0 && top1 <= 1 ? proportionVariance(top1, n) * factor * factor : undefined;
    return { status: 'ok', value: mnasReward(top1, latencyMs, { targetMs: this.options.targetMs }), ...(variance !== undefined ? { variance } : {}) };
  }

  private must(trialId: number): TrialRecord {
    const t = this.trials.get(trialId);
    if (!t) throw new Error(`unknown trial ${trialId}`);
    return t;
  }

  /** Trials that ended: ok, failed and cancelled ones. */
  finishedCount(): number {
    return this.finished.ok + this.finished.failed + this.finished.cancelled;
  }

  /** Trials that compete on the front: ok ones (for multi-fidelity studies, at full fidelity when any is). */
  private contenders(): TrialRecord[] {
    const ok = this.liveRecords().filter((t) => t.state === 'ok');
    if (!this.options.multiFidelity) return ok;
    const full = ok.filter((t) => t.fidelity >= 1);
    return full.length ? full : ok;
  }

  /** The front at the intervals' resolution (resolved-ranking.ts): each member with the ties it won. */
  front(): FrontMember[] {
    const f = resolvedFront(this.contenders().map(contender));
    return f.members.map((c) => member(c.t, f.ties.get(c.trialId)));
  }

  /**
   * The contender for the latency target: of those within it, the most accurate up to the intervals'
   * resolution, a tie broken by the higher top-1 estimate, then latency, images and trial id (or, for
   * studies recorded before that rule, latency first); else the fastest (not within target).
   */
  selected(): { member: FrontMember; met: boolean; decision: SelectionDecision } | undefined {
    const c = this.contenders();
    if (!c.length) return undefined;
    const sel = resolvedSelection(c.map(contender), this.options.targetMs, this.options.selectionTieBreak);
    return {
      member: member(sel.chosen.t),
      met: sel.met,
      decision: { trialId: sel.chosen.trialId, decidedBy: sel.decidedBy, tiedWith: sel.tiedWith },
    };
  }

  /**
   * The members the final phase retrains, `count` in all: the one selected at the latency target first
   * (when one meets it; a tie the front broke by latency can leave it off the front), then the front's most accurate. Retraining only the most
   * accurate would leave a study whose most accurate network misses its target without a final model
   * that meets it.
   */
  finalMembers(count: number): FrontMember[] {
    const sel = this.selected();
    const byAccuracy = [...this.front()].sort((a, b) => b.top1 - a.top1);
    const first = sel?.met ? [sel.member] : [];
    return [...first, ...byAccuracy.filter((m) => !first.some((f) => f.trialId === m.trialId))].slice(0, count);
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
    const running = this.liveRecords().filter((t) => t.state === 'running');
    const sel = this.selected();
    const { ok, failed, cancelled } = this.finished;
    return {
      study: base.study,
      state: base.state,
      trials: { total: running.length + this.finishedCount(), running: running.length, ok, failed, ...(cancelled ? { cancelled } : {}), planned: base.planned },
      parallelism: base.parallelism,
      ...(sel?.met ? { best: sel.member, selection: sel.decision } : {}),
      targetMs: this.options.targetMs,
      runningTrials: running.map((t) => t.trialId),
      front: this.front(),
      compute: { ...this.compute },
      hypervolume: [...this.hypervolume],
      ...tableAccuracyField(this.tableFit),
      startedAt: base.startedAt,
      now: base.now,
    };
  }
}

function frontOf(ok: TrialRecord[]): TrialRecord[] {
  return paretoFront2d(
    ok.map((t) => [t.result!.top1, t.latencyMs!]),
    ['maximize', 'minimize'],
  ).map((i) => ok[i]!);
}

function contender(t: TrialRecord): Contender & { t: TrialRecord } {
  const images = t.result!.images;
  return { trialId: t.trialId, top1: t.result!.top1, latencyMs: t.latencyMs!, ...(images !== undefined ? { images } : {}), t };
}

function member(t: TrialRecord, ties?: Array<{ trialId: number; by: TieBreak }>): FrontMember {
  return {
    trialId: t.trialId,
    architecture: t.result!.architecture,
    top1: t.result!.top1,
    ...top1Fields(t.result!.top1, t.result!.images),
    latencyMs: t.latencyMs!,
    ...(typeof t.params.lambda === 'number' ? { lambda: t.params.lambda } : {}),
    ...(ties?.length ? { ties } : {}),
  };
}

function tableAccuracyField(fit: TableFitState): Pick<StudyStatus, 'tableAccuracy'> {
  const a = tableFitSummary(fit);
  return a ? { tableAccuracy: a } : {};
}
