/**
 * Typed, validated configuration of the engine's two training runs: the architecture search and the
 * retraining of the derived child. Defaults are the reference's recipe (docs/engine.md), scaled where
 * the reference depends on ImageNet epochs. Schemas here are the only place defaults are set.
 */
import { z } from 'zod';
import { parseOrThrow } from './zod-issues';

const optimizerSchema = z
  .object({
    /** 'rmsprop' (the reference's) or 'sgd' (Nesterov momentum; the fast retraining recipe). */
    kind: z.enum(['rmsprop', 'sgd']).default('rmsprop'),
    /** Learning rate per 256 images (the peak, after warm-up). */
    lrPer256: z.number().positive().default(0.016),
    decay: z.number().gt(0).lt(1).default(0.9),
    momentum: z.number().min(0).lt(1).default(0.9),
    epsilon: z.number().positive().default(1e-3),
    /** Initial RMSProp mean square: 1 is TF1's (the reference), 0 Keras' (adapts at once; default). */
    msInit: z.number().min(0).default(0),
    /**
     * 'exponential' (the reference): x lrDecayRate every lrDecayEpochs, a function of the epoch only, so
     * a run continued with a larger budget follows the same curve (multi-fidelity HPO relies on that).
     * 'cosine': half a cosine from the peak to lrFinalFraction * peak at the run's last epoch; uses the
     * whole budget, so it depends on the total epochs (final retrains from scratch).
     */
    schedule: z.enum(['exponential', 'cosine']).default('exponential'),
    lrDecayRate: z.number().gt(0).max(1).default(0.97),
    lrDecayEpochs: z.number().positive().default(2.4),
    lrFinalFraction: z.number().min(0).max(1).default(0),
    /** Linear learning-rate warm-up in epochs. */
    lrWarmupEpochs: z.number().min(0).default(0),
  })
  .strict();
export type OptimizerConfig = z.output<typeof optimizerSchema>;

const common = {
  seed: z.number().int().min(0).default(0),
  epochs: z.number().positive().default(8),
  batchSize: z.number().int().positive().default(128),
  weightDecay: z.number().min(0).default(1e-5),
  labelSmoothing: z.number().min(0).lt(1).default(0.1),
  /** Save a checkpoint every this many steps (and at the end / on cancel). */
  checkpointEvery: z.number().int().positive().default(200),
  /** Complete checkpoints to keep. */
  keepCheckpoints: z.number().int().positive().default(3),
  augment: z
    .object({ padCrop: z.number().int().min(0).default(4), flip: z.boolean().default(true) })
    .strict()
    .default({ padCrop: 4, flip: true }),
};

export const runtimeLossSchema = z
  .object({
    kind: z.enum(['log', 'mnas', 'hinge']).default('log'),
    /** Weight of the runtime term; for 'log', 1000x the reference code's lambda (its 0.020 is 20 here). */
    lambda: z.number().min(0).default(20),
    targetMs: z.number().positive().optional(),
    alpha: z.number().min(0).max(1).default(0),
  })
  .strict()
  .refine((r) => r.kind === 'log' || r.targetMs !== undefined, {
    message: "targetMs is required for the 'mnas' and 'hinge' runtime losses",
    path: ['targetMs'],
  });

export const searchConfigSchema = z
  .object({
    ...common,
    optimizer: optimizerSchema.default(optimizerSchema.parse({})),
    /** Epochs at the start with lambda = 0 and indicator dropout (the reference's ~5 of 8). */
    warmupEpochs: z.number().min(0).default(5),
    indicatorDropout: z.number().min(0).lt(1).default(0.4),
    /**
     * 'relative' (default): indicators compare ||W_g|| / ||W_g at init|| with the threshold, so
     * thresholds are in the same units in every layer and the sigmoid surrogate starts in its useful
     * range. 'l2': the reference's raw norms (thresholds must travel ~||W_g||, which short searches
     * never do). See docs/engine.md.
     */
    indicatorNorm: z.enum(['relative', 'l2']).default('relative'),
    /** Learning-rate multiplier of the thresholds relative to the weights. */
    thresholdLrMultiplier: z.number().positive().default(1),
    /**
     * 'sgd' (default): plain gradient steps (no momentum, no per-threshold normalisation), so a decision
     * moves in proportion to lambda and to the latency it saves, and stops once decided. 'rmsprop': the
     * weights' RMSProp per threshold, as the reference (every pushed decision moves at the same speed,
     * whatever lambda). Evidence: docs/engine.md "Search dynamics".
     */
    thresholdUpdate: z.enum(['sgd', 'rmsprop']).default('sgd'),
    /**
     * At most this many decisions flip per threshold update (0: no limit). Thresholds pushed alike
     * cross their norms in the same step, before R can respond, and overshoot a target
     * (src/nas/flip-limit.ts, docs/engine.md "Search dynamics"). Plain-SGD thresholds only; default 1
     * with 'sgd', 0 with 'rmsprop'.
     */
    maxFlipsPerStep: z.number().int().min(0).optional(),
    /**
     * 'frozen' (default): thresholds do not move during the warm-up (the runtime term is off then), so a
     * warm-up checkpoint does not depend on thresholdLrMultiplier and can be shared by every trial of
     * a study. 'trained': they follow the cross-entropy gradient during the warm-up too (the reference).
     */
    warmupThresholds: z.enum(['frozen', 'trained']).default('frozen'),
    /**
     * What the runtime term's gradient moves. 'thresholds' (default): only the thresholds; the weights
     * learn from the cross-entropy alone. 'thresholds-and-weights': also the weights through the group
     * norms, as the reference; their momentum then keeps shrinking groups after the target is met,
     * which flipped extra decisions past it (docs/engine.md "Search dynamics").
     */
    runtimeGradientTo: z.enum(['thresholds', 'thresholds-and-weights']).default('thresholds'),
    /**
     * The runtime term's gradient on an indicator. 'flip-to-target' (default; mnas, hinge): the change
     * of the distance to the target (|ln R/T| for mnas, |R/T - 1| for hinge) if that decision flipped,
     * so decisions are pushed towards the target from both sides; for 'log' the same as 'flip'. 'flip':
     * the exact change of the term if that decision flipped, lambda * (f(R with d = 1) - f(R with d = 0));
     * near the target of mnas / hinge a decision is pushed only by the excess R - T it could remove.
     * 'derivative': lambda * f'(R) dR/dd, the reference's autodiff (the same for 'log' up to the
     * curvature of ln). Evidence: docs/engine.md "Search dynamics".
     */
    runtimeGradient: z.enum(['flip', 'flip-to-target', 'derivative']).default('flip-to-target'),
    /**
     * 'flip-to-target': a shortfall below the target counts this much against the same excess above it.
     * A target is a budget: with 1 (a symmetric distance, the v5 bench round) the only flip of a coarse
     * space, R from 2 T to 0.35 T, was refused as farther from T than staying at 2 T.
     */
    belowTargetWeight: z.number().min(0).max(1).default(0.5),
    runtimeLoss: runtimeLossSchema.default({ kind: 'log', lambda: 20, alpha: 0 }),
  })
  .strict()
  .refine((c) => !c.maxFlipsPerStep || c.thresholdUpdate === 'sgd', {
    message: "maxFlipsPerStep needs thresholdUpdate 'sgd' (RMSProp thresholds keep momentum a limit would fight); set it to 0 or use 'sgd'",
    path: ['maxFlipsPerStep'],
  })
  .refine((c) => c.warmupEpochs < c.epochs, {
    message: 'warmupEpochs must be smaller than epochs (no search would happen after warm-up)',
    path: ['warmupEpochs'],
  })
  // a warm-up checkpoint must be the same whatever a trial's epochs and warm-up length (shared warm-ups)
  .refine((c) => c.optimizer.schedule === 'exponential', {
    message:
      "the search's learning-rate schedule must be 'exponential' (a function of the epoch only, so a warm-up is the same whatever the total epochs); 'cosine' is for retraining",
    path: ['optimizer', 'schedule'],
  })
  // the flip limit's default follows the threshold update it works with
  .transform((c) => ({ ...c, maxFlipsPerStep: c.maxFlipsPerStep ?? (c.thresholdUpdate === 'sgd' ? 1 : 0) }));
export type SearchConfig = z.output<typeof searchConfigSchema>;
export type SearchConfigInput = z.input<typeof searchConfigSchema>;

/** Retraining warms the learning rate up for 1 epoch by default, also when other optimizer fields are given (e.g. --lr). */
const trainOptimizerSchema = optimizerSchema.extend({ lrWarmupEpochs: z.number().min(0).default(1) });

export const trainConfigSchema = z
  .object({
    ...common,
    epochs: z.number().positive().default(30),
    optimizer: trainOptimizerSchema.default(trainOptimizerSchema.parse({})),
  })
  .strict();
export type TrainConfig = z.output<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

export function parseSearchConfig(value: unknown, source = 'search config'): SearchConfig {
  return parseOrThrow(searchConfigSchema, value ?? {}, source);
}

export function parseTrainConfig(value: unknown, source = 'train config'): TrainConfig {
  return parseOrThrow(trainConfigSchema, value ?? {}, source);
}
