/**
 * Gaussian-process Bayesian optimisation behind the ask/tell interface (Snoek, Larochelle & Adams,
 * "Practical Bayesian Optimization of Machine Learning Algorithms", NeurIPS 2012).
 *
 * - Initial design: the first `nInitial` trials come from a scrambled Sobol sequence.
 * - Model: Matern 5/2 ARD GP on the space's unit-cube features (ints as a rounded continuous column,
 *   categoricals one-hot), outputs standardised (Yeo-Johnson warping optional); hyperparameters by
 *   maximum marginal likelihood with restarts, warm-started from the previous fit (see gp-fit.ts).
 *   An observation told with a known variance (a top-1's binomial noise) has it added to the fitted
 *   noise level on its own diagonal entry (known-noise.ts), so an accuracy on few images counts less.
 * - Acquisition: log expected improvement (log-ei.ts), maximised by acquisition-optimizer.ts.
 * - Parallel trials: pending trials enter the GP with a fantasised value - the posterior mean
 *   ("Kriging believer") or a constant ("constant liar"; Ginsbourger, Le Riche & Carraro 2010) - so a
 *   batch of asks spreads out instead of proposing the same point.
 * - Failed trials: by default ('classifier') a GP classifier of the failed/ok labels (gp-classifier.ts)
 *   weighs the acquisition by the probability of success, which handles failures independent of x (a
 *   lost node: a constant weight) and failures confined to a region (a diverging learning rate: the
 *   weight falls towards zero there) with one rule. 'impute-worst' (the worst observed value at each
 *   failed point) and 'exclude' are kept for comparison; docs/hpo.md has the measurements.
 * - Incumbent: `best()` reports the lowest observation by default; `incumbent: 'posterior-mean'` reports
 *   the evaluated trial with the best posterior mean, the right choice for noisy objectives.
 */
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { maximizeLogEi, type AcquisitionOptions } from './acquisition-optimizer';
import { BaseSampler, type BaseState } from './base-sampler';
import { GaussianProcess, type GpHyper } from './gp';
import { FailureClassifier, type ClassifierHyper } from './gp-classifier';
import { gpOptionsSchema, resolveGpOptions, type BatchStrategy, type GpSamplerOptions, type ResolvedGpOptions } from './gp-options';
import { posteriorMeanIncumbent, type PosteriorIncumbent } from './incumbent';
import { fitGpHyperparameters } from './gp-fit';
import { warpedNoise } from './known-noise';
import { warpOutputs } from './output-transform';
import type { Direction, SamplerKind, SamplerState, Trial, TrialRecord } from './sampler';
import { BUILT_IN_SAMPLERS, GP_MAX_TRIALS } from './sampler-catalog';
import type { IssueSink, SamplerDescriptor } from './sampler-descriptor';
import { checkSobolState, positive, sobolState } from './snapshot-fields';
import { SOBOL_MAX_DIM, SobolSequence, type SobolState } from './sobol';
import type { Params, Space, SpaceSpec } from './space';

export type GpState = BaseState & {
  readonly kind: SamplerKind;
  readonly version: 1;
  readonly options: ResolvedGpOptions;
  readonly sobol: SobolState | null;
  readonly hyper: GpHyper | null;
  /** The failure classifier's last hyperparameters (its warm start); absent in older snapshots. */
  readonly failureHyper?: ClassifierHyper | null;
};

export class GpSampler extends BaseSampler {
  readonly kind: SamplerKind = 'gp';
  protected readonly options: ResolvedGpOptions;
  private readonly sobol: SobolSequence | null;
  private hyper: GpHyper | null;
  private failureHyper: ClassifierHyper | null;

  constructor(space: SpaceSpec | Space, options: GpSamplerOptions, state?: GpState, arity?: number) {
    super(space, options.seed, arity, state);
    this.options = state ? state.options : resolveGpOptions(options, this.space);
    const d = this.space.dims.length;
    this.sobol = state ? (state.sobol ? SobolSequence.fromState(state.sobol) : null) : d <= SOBOL_MAX_DIM ? SobolSequence.create(d, this.rng) : null;
    this.hyper = state?.hyper ?? null;
    this.failureHyper = state?.failureHyper ?? null;
  }

  static fromJSON(state: GpState): GpSampler {
    return new GpSampler(state.space, state.options, state);
  }

  protected override get direction(): Direction {
    return this.options.direction;
  }

  /** Hyperparameters of the last fit (for diagnostics), in unit-cube / standardised units. */
  get lastHyperparameters(): GpHyper | null {
    return this.hyper;
  }

  /** Scalar values to minimise for the completed trials (ParEGO overrides this). */
  protected targets(ok: readonly TrialRecord[]): number[] {
    const sign = this.options.direction === 'minimize' ? 1 : -1;
    return ok.map((r) => sign * (r.value as number));
  }

  ask(): Trial {
    const recs = this.ledger.all();
    if (recs.length >= GP_MAX_TRIALS)
      throw new InvalidInputError(
        `${this.kind} sampler: ${recs.length} trials issued, the most a GP serves (${GP_MAX_TRIALS}: every proposal conditions on every trial); continue with a random or multi-fidelity sampler`,
        { code: 'TOO_MANY_TRIALS' },
      );
    const ok = recs.filter((r) => r.state === 'ok');
    if (recs.length < this.options.nInitial || ok.length === 0) {
      const u = this.sobol ? this.sobol.next() : this.space.dims.map(() => this.rng.float());
      return this.ledger.add(this.space.fromCube(u));
    }
    return this.ledger.add(this.propose(recs, ok));
  }

  /** The classifier of failures over every finished trial, and which failures it predicts. */
  private failureModel(recs: readonly TrialRecord[]): { model: FailureClassifier; predicted: Set<number> } | undefined {
    if (this.options.failedTrials !== 'classifier') return undefined;
    const done = recs.filter((r) => r.state !== 'pending');
    const model = FailureClassifier.fit(
      done.map((r) => this.space.toFeatures(r.params)),
      done.map((r) => r.state === 'failed'),
      { warmStart: this.failureHyper ?? undefined, maxFitPoints: this.options.maxFitPoints },
    );
    if (!model) return undefined;
    this.failureHyper = model.hyper;
    const loo = model.looFailureProbability();
    return { model, predicted: new Set(model.rows.flatMap((row, i) => (done[row]!.state === 'failed' && loo[i]! > 0.5 ? [done[row]!.trialId] : []))) };
  }

  private propose(recs: readonly TrialRecord[], ok: readonly TrialRecord[]): Params {
    const yOk = this.targets(ok);
    const X = ok.map((r) => this.space.toFeatures(r.params));
    const y = [...yOk];
    const failures = this.failureModel(recs);
    // 'impute-worst' imputes every failure; 'classifier' only those its neighbours predict (a failing
    // region, where the objective is as bad as it gets), leaving out unpredictable ones (bad luck),
    // whose imputed spike beside the incumbent would make the GP circle it.
    const impute = (r: TrialRecord) => this.options.failedTrials === 'impute-worst' || (failures?.predicted.has(r.trialId) ?? false);
    const worst = yOk.reduce((a, b) => Math.max(a, b), -Infinity);
    for (const r of recs) {
      if (r.state !== 'failed' || !impute(r)) continue;
      X.push(this.space.toFeatures(r.params));
      y.push(worst);
    }
    const warped = warpOutputs(y, this.options.outputTransform);
    const ys = warped.values;
    // imputed failures (after the ok rows) have no known noise
    const noise = warpedNoise(
      ok.map((r) => r.variance),
      warped.slopes,
    );
    this.hyper = fitGpHyperparameters(X, ys, {
      rng: this.rng,
      restarts: this.options.fitRestarts,
      warmStart: this.hyper ?? undefined,
      maxFitPoints: this.options.maxFitPoints,
      prior: this.options.hyperPrior,
      ...(noise ? { knownNoise: noise } : {}),
    });
    let gp = new GaussianProcess(X, ys, this.hyper, noise);
    const pending = recs.filter((r) => r.state === 'pending').map((r) => this.space.toFeatures(r.params));
    if (pending.length > 0) {
      const okYs = ys.slice(0, ok.length);
      const lie = (s: BatchStrategy): number[] => {
        if (s === 'kriging-believer') return Array.from(gp.predict(pending).mean);
        const c =
          s === 'constant-liar-min'
            ? okYs.reduce((a, b) => Math.min(a, b), Infinity)
            : s === 'constant-liar-max'
              ? okYs.reduce((a, b) => Math.max(a, b), -Infinity)
              : okYs.reduce((a, b) => a + b, 0) / okYs.length;
        return pending.map(() => c);
      };
      gp = new GaussianProcess([...X, ...pending], [...ys, ...lie(this.options.batchStrategy)], this.hyper, noise && [...noise, ...pending.map(() => 0)]);
    }
    const order = ok.map((_, i) => i).sort((a, b) => ys[a]! - ys[b]! || a - b);
    const best = ys[order[0]!]!;
    // Scoring a candidate costs O(n^2); with many observations the model is sharp and the local
    // candidates around incumbents matter most, so the space-filling set shrinks to bound latency.
    const nCandidates = Math.min(this.options.nCandidates, Math.max(256, Math.floor((this.options.nCandidates * 100) / X.length)));
    const k = this.options.exploitEvery;
    const modelStep = recs.length - this.options.nInitial;
    const criterion = k > 0 && modelStep % k === k - 1 ? 'posterior-mean' : 'log-ei';
    const acq: AcquisitionOptions = { nCandidates, nIncumbents: 5, nLocalPerIncumbent: 40, nRefine: 5, criterion };
    const avoid = recs.map((r) => this.space.toFeatures(r.params));
    const res = maximizeLogEi(
      gp,
      this.space,
      best,
      order.map((i) => X[i]!),
      this.rng,
      acq,
      avoid,
      failures?.model,
    );
    // Every candidate was a repeat (a small discrete space, or a collapsed model): explore instead.
    return res ? this.space.fromFeatures(res.features) : this.space.fromCube(this.space.dims.map(() => this.rng.float()));
  }

  override best(): TrialRecord | undefined {
    if (this.options.incumbent === 'posterior-mean') return this.bestByPosteriorMean()?.trial ?? super.best();
    return super.best();
  }

  /**
   * The completed trial whose posterior mean is best, with that mean in the objective's units
   * (incumbent.ts: a GP fitted afresh on every completed trial). For noisy objectives. It draws from
   * its own PRNG, so calling it never changes what the sampler proposes.
   */
  bestByPosteriorMean(): PosteriorIncumbent | undefined {
    const ok = this.ledger.all().filter((r) => r.state === 'ok');
    return posteriorMeanIncumbent(this.space, ok, {
      seed: this.options.seed,
      sign: this.options.direction === 'minimize' ? 1 : -1,
      outputTransform: this.options.outputTransform,
      maxFitPoints: this.options.maxFitPoints,
    });
  }

  toJSON(): SamplerState {
    const s: GpState = {
      kind: this.kind,
      version: 1,
      options: this.options,
      ...this.baseState(),
      sobol: this.sobol ? this.sobol.state() : null,
      hyper: this.hyper,
      failureHyper: this.failureHyper,
    };
    return s;
  }
}

const hyper = z.strictObject({ lengthscales: z.array(positive), signalVar: positive, noiseVar: positive });
const classifierHyper = z.strictObject({ lengthscales: z.array(positive), signalVar: positive });

/** The snapshot fields GP-BO and ParEGO share (besides their options). */
export const gpSnapshotFields = { sobol: sobolState.nullable(), hyper: hyper.nullable(), failureHyper: classifierHyper.nullable().optional() };

/** The Sobol state fits the trials, and the hyperparameters have one lengthscale per feature column. */
export function checkGpSnapshot(state: Readonly<Record<string, unknown>>, space: Space, add: IssueSink): void {
  checkSobolState(state.sobol as z.infer<typeof sobolState> | null, space, (state.ledger as { records: unknown[] }).records.length, add);
  for (const key of ['hyper', 'failureHyper'] as const) {
    const h = state[key] as { lengthscales: number[] } | null | undefined;
    if (h && h.lengthscales.length !== space.featureDim)
      add([key, 'lengthscales'], `needs ${space.featureDim} values (one per feature column), has ${h.lengthscales.length}`);
  }
}

export const gpSampler: SamplerDescriptor = {
  name: 'gp',
  kind: 'gp',
  ...BUILT_IN_SAMPLERS.gp,
  options: gpOptionsSchema,
  snapshot: gpSnapshotFields,
  crossCheck: checkGpSnapshot,
  // A noisy objective's best observation is partly luck: report the best posterior mean instead.
  create: (space, s) =>
    new GpSampler(space, {
      seed: s.seed,
      direction: s.directions[0],
      incumbent: s.noisy ? 'posterior-mean' : 'observed',
      ...(s.initialTrials !== undefined ? { nInitial: s.initialTrials } : {}),
    }),
  restore: (state) => GpSampler.fromJSON(state as GpState),
};
