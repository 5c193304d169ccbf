/**
 * The main command's problem as a tabular benchmark (the HPOBench / YAHPO Gym idea) built from the
 * trial records: a sampler's knob configuration is answered by the nearest recorded configuration
 * (the same runtime loss and warm-up epochs, nearest in the unit-scaled lambda, threshold learning-
 * rate multiplier and, for mnas / hinge, target fraction), and returns that configuration's recorded
 * trial: the network its search derived at the requested fidelity level, its trial-budget score with
 * seed noise, its predicted latency, and the compute each phase took (CPU seconds from the records).
 *
 * Seed noise: a study runs every trial with one engine seed, so each network's score is one fixed draw.
 * A replicate ("world") therefore draws, once per network and fidelity, the recorded mean plus a
 * normal error with the pooled seed-to-seed standard deviation measured at that budget (networks
 * scored with two seeds); 20+ worlds with their own sampler seeds give the spread a user would see.
 *
 * Pure: takes records, no I/O.
 */
import { mnasReward } from '../../src/hpo/objectives';
import { nasHyperparameterSpace } from '../../src/hpo/nas-space';
import type { Params } from '../../src/hpo/space';
import { hashSeed, Rng } from '../../src/random';
import { contentKey } from '../../src/study/content-key';
import { MAX_BUDGET, type TrialBudget } from './problem';
import type { SearchRecord, TrainRecord, WarmupRecord } from './records';

export interface Stage {
  level: number;
  architecture: string;
  predictedMs: number;
  /** CPU seconds of the stage's search activity (its steps, the supernet's evaluation) and of its steps alone. */
  cpuSeconds: number;
  stepCpuSeconds: number;
}

export interface ConfigEntry {
  configId: string;
  knobs: Params;
  warmupEpochs: number;
  /** Search stages by level (1, 3, 9). */
  stages: Map<number, Stage>;
  features: number[];
}

interface Scored {
  scores: number[];
  cpuSeconds: number;
}

const fkey = (arch: string, fidelity: number) => `${arch}|${fidelity.toFixed(4)}`;

export interface TrialAnswer {
  config: ConfigEntry;
  level: number;
  architecture: string;
  latencyMs: number;
  /** Trial-budget score as this world's study sees it. */
  score: number;
  /** CPU seconds of the search stages up to `level` after `fromLevel`, and of the retraining. */
  searchSeconds: number;
  retrainSeconds: number;
}

export interface FinalAnswer {
  top1: number;
  cpuSeconds: number;
  /** No final-budget run of this network: predicted from its trial score and latency (linear fit over the networks that have one). */
  imputed: boolean;
}

export class TabularProblem {
  readonly configs: ConfigEntry[];
  private readonly trial = new Map<string, Scored>();
  private readonly finals = new Map<string, { top1: number; cpuSeconds: number }>();
  readonly noiseSd: number;
  readonly warmupSecondsPerEpoch: number;
  readonly medianFinalSeconds: number;
  private readonly fit: { a: number; b: number; c: number };
  private readonly space = nasHyperparameterSpace();

  constructor(
    recs: { searches: SearchRecord[]; trains: TrainRecord[]; warmup: WarmupRecord },
    readonly budget: TrialBudget,
    readonly levels: readonly number[],
    readonly targetMs: number,
  ) {
    for (const t of recs.trains) {
      if (!Number.isFinite(t.cpuSeconds)) continue; // a validation study's trial: not a table row
      if (t.budget === 'final') {
        if (t.seed === 0) this.finals.set(t.architecture, { top1: t.top1, cpuSeconds: t.cpuSeconds });
        continue;
      }
      if (t.budget !== budget) continue;
      const k = fkey(t.architecture, t.fidelity);
      const e = this.trial.get(k) ?? { scores: [], cpuSeconds: 0 };
      e.cpuSeconds = (e.cpuSeconds * e.scores.length + t.cpuSeconds) / (e.scores.length + 1);
      e.scores.push(t.top1);
      this.trial.set(k, e);
    }
    const byConfig = new Map<string, ConfigEntry>();
    for (const s of recs.searches) {
      const c = byConfig.get(s.configId) ?? {
        configId: s.configId,
        knobs: s.knobs,
        warmupEpochs: s.warmupEpochs,
        stages: new Map(),
        features: this.featuresOf(s.knobs),
      };
      c.stages.set(s.level, {
        level: s.level,
        architecture: s.architecture,
        predictedMs: s.predictedMs,
        cpuSeconds: s.cpuSeconds,
        stepCpuSeconds: s.stepCpuSeconds,
      });
      byConfig.set(s.configId, c);
    }
    // complete configurations only: every level searched (with its compute measured here; the validation
    // studies' trials are not table rows) and its network retrained at that fidelity
    this.configs = [...byConfig.values()].filter((c) =>
      levels.every(
        (l) => c.stages.has(l) && Number.isFinite(c.stages.get(l)!.cpuSeconds) && this.trial.has(fkey(c.stages.get(l)!.architecture, l / MAX_BUDGET)),
      ),
    );
    if (!this.configs.length) throw new Error(`no configuration has every level (${levels.join(', ')}) searched and retrained at budget ${budget}`);
    // pooled seed-to-seed sd at full fidelity: E[(s0 - s1)^2] / 2
    const pairs = [...this.trial.entries()].filter(([k, e]) => k.endsWith('|1.0000') && e.scores.length >= 2).map(([, e]) => e.scores);
    this.noiseSd = pairs.length ? Math.sqrt(pairs.reduce((s, p) => s + (p[0]! - p[1]!) ** 2, 0) / (2 * pairs.length)) : 0.01;
    this.warmupSecondsPerEpoch = recs.warmup.cpuSeconds / recs.warmup.epochs;
    const fs = [...this.finals.values()].map((f) => f.cpuSeconds).sort((a, b) => a - b);
    this.medianFinalSeconds = fs.length ? fs[Math.floor(fs.length / 2)]! : NaN;
    this.fit = this.fitFinal(recs.searches);
  }

  /** Unit-scaled lambda and threshold multiplier, and the target fraction unless the loss ignores it. */
  private featuresOf(knobs: Params): number[] {
    const f = this.space.toFeatures(knobs);
    const at = (name: string) => f[this.space.dims.find((d) => d.name === name)!.offset]!;
    return [at('lambda'), at('thresholdLrMultiplier'), ...(knobs.runtimeLoss === 'log' ? [] : [at('targetFraction')])];
  }

  /** The recorded configuration that answers `knobs`: same loss and warm-up epochs when there is one, nearest otherwise. */
  lookup(knobs: Params, warmupEpochs: number): ConfigEntry {
    const f = this.featuresOf(knobs);
    const dist = (c: ConfigEntry) =>
      (c.knobs.runtimeLoss === knobs.runtimeLoss ? 0 : 100) +
      (c.warmupEpochs === warmupEpochs ? 0 : 10) +
      Math.hypot(...f.map((v, i) => v - (c.features[i] ?? 0.5)));
    return this.configs.reduce((best, c) => (dist(c) < dist(best) ? c : best));
  }

  /**
   * The trial of `knobs` at `level`, continuing from `fromLevel` (0: a new configuration) in world
   * `world`. Its search compute: the steps of the stages it runs, plus one supernet evaluation (each
   * search activity ends with one; the records' stages each paid theirs, so a trial run at once
   * counts only the last stage's).
   */
  evaluate(knobs: Params, warmupEpochs: number, level: number, fromLevel: number, world: World): TrialAnswer {
    const config = this.lookup(knobs, warmupEpochs);
    const stage = config.stages.get(level)!;
    const fidelity = level / MAX_BUDGET;
    const scored = this.trial.get(fkey(stage.architecture, fidelity))!;
    const mean = scored.scores.reduce((s, x) => s + x, 0) / scored.scores.length;
    return {
      config,
      level,
      architecture: stage.architecture,
      latencyMs: stage.predictedMs,
      score: Math.min(1, Math.max(0, mean + this.noiseSd * world.normal(fkey(stage.architecture, fidelity)))),
      searchSeconds:
        [...config.stages.values()].filter((s) => s.level > fromLevel && s.level <= level).reduce((s, x) => s + x.stepCpuSeconds, 0) + this.evalSeconds(config),
      retrainSeconds: scored.cpuSeconds,
    };
  }

  /** One search activity's cost besides its steps (the supernet's evaluation, restoring the checkpoint): the full-fidelity stage's. */
  private evalSeconds(config: ConfigEntry): number {
    const full = config.stages.get(MAX_BUDGET)!;
    return full.cpuSeconds - full.stepCpuSeconds;
  }

  /** The network's final-budget test top-1 (recorded, else imputed). */
  final(architecture: string, trialScore: number, latencyMs: number): FinalAnswer {
    const f = this.finals.get(architecture);
    if (f) return { ...f, imputed: false };
    return { top1: this.fit.a + this.fit.b * trialScore + this.fit.c * latencyMs, cpuSeconds: this.medianFinalSeconds, imputed: true };
  }

  hasFinal(architecture: string): boolean {
    return this.finals.has(architecture);
  }

  /** Least squares final ~ a + b trial score + c latency over the networks with both (means over seeds). */
  private fitFinal(searches: SearchRecord[]): { a: number; b: number; c: number } {
    const ms = new Map(searches.map((s) => [s.architecture, s.predictedMs]));
    const rows = [...this.finals].flatMap(([arch, f]) => {
      const t = this.trial.get(fkey(arch, 1));
      const lat = ms.get(arch);
      return t && lat !== undefined ? [[1, t.scores.reduce((s, x) => s + x, 0) / t.scores.length, lat, f.top1] as const] : [];
    });
    if (rows.length < 4) return { a: rows.length ? rows.reduce((s, r) => s + r[3], 0) / rows.length : NaN, b: 0, c: 0 };
    // normal equations, 3 x 3
    const A = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows.reduce((s, r) => s + r[i]! * r[j]!, 0)));
    const y = [0, 1, 2].map((i) => rows.reduce((s, r) => s + r[i]! * r[3], 0));
    const [a, b, c] = solve3(A, y);
    return { a: a!, b: b!, c: c! };
  }

  /** The study's scalar objective (StudyBook.outcomeOf): the MnasNet reward at the target. */
  reward(score: number, latencyMs: number): number {
    return mnasReward(score, Math.max(latencyMs, 1e-6), { targetMs: this.targetMs });
  }
}

function solve3(A: number[][], y: number[]): number[] {
  const M = A.map((row, i) => [...row, y[i]!]);
  for (let c = 0; c < 3; c++) {
    const p = M.reduce((bi, row, r) => (r >= c && Math.abs(row[c]!) > Math.abs(M[bi]![c]!) ? r : bi), c);
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = 0; r < 3; r++) {
      if (r === c || M[c]![c] === 0) continue;
      const k = M[r]![c]! / M[c]![c]!;
      for (let j = c; j < 4; j++) M[r]![j]! -= k * M[c]![j]!;
    }
  }
  return M.map((row, i) => row[3]! / row[i]!);
}

/**
 * One replicate's frozen noise: a standard normal per key (network and fidelity), a function of the
 * world's seed and the key alone, so every method run in the same world sees the same scores.
 */
export class World {
  constructor(readonly seed: number) {}
  normal(key: string): number {
    const rng = new Rng(hashSeed(this.seed, parseInt(contentKey(key).slice(0, 8), 16)));
    return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  }
}
