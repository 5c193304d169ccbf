/**
 * The small real study every fault-injection run computes: the real engine on a few hundred CIFAR-10
 * images read from the S3 server, a shared warm-up, a few trials two at a time, and a final
 * retraining, with periodic checkpoints so that a crash costs a few steps. Its name and storage are
 * the same in every run (each run has its own servers), so the URIs in its records are comparable.
 */
import { createHash } from 'node:crypto';
import { parseStudySpec, type StudySpec } from '../../src/study/spec';

export const STUDY = 'faults';
export const BUCKET = 'spnas-faults';
export const DATA_KEY = 'data/train-000000.tar';

/** Bit-reproducibility needs the same intra-op thread count in every engine process (docs/engine.md). */
export const ENGINE_ENV = { TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' };

/** Sizes: `test` for the suite's short run, `bench` for the campaign. */
export const SIZES = {
  // 2 trials at once, 192 training images at batch 32 (6 steps an epoch)
  test: { trials: 2, parallelism: 2, limit: 256, searchEpochs: 3, retrainEpochs: 1, finalEpochs: 1 },
  // 4 trials two at a time, 320 training images (10 steps an epoch)
  bench: { trials: 4, parallelism: 2, limit: 384, searchEpochs: 4, retrainEpochs: 2, finalEpochs: 3 },
} as const;
export type Size = keyof typeof SIZES;

export function faultStudy(size: Size): StudySpec {
  const z = SIZES[size];
  return parseStudySpec({
    name: STUDY,
    storage: `s3://${BUCKET}`,
    space: 'cifar-tiny',
    data: { train: { uri: `s3://${BUCKET}/${DATA_KEY}`, limit: z.limit, valCount: 64 } },
    hpo: {
      sampler: 'random',
      trials: z.trials,
      parallelism: z.parallelism,
      seed: 11,
      // strong runtime pressure, so that a few search epochs already drop layers and the trials differ
      space: {
        warmupFraction: null,
        lambda: { type: 'float', low: 20, high: 100, log: true },
        thresholdLrMultiplier: { type: 'float', low: 2, high: 10, log: true },
      },
    },
    budget: {
      searchEpochs: z.searchEpochs,
      warmupEpochs: 1,
      retrainEpochs: z.retrainEpochs,
      batchSize: 32,
      search: { checkpointEvery: 3 },
      retrain: { checkpointEvery: 3 },
      final: { models: 1, recipe: 'fast', config: { epochs: z.finalEpochs, checkpointEvery: 2 } },
    },
    objectives: { latency: 'predicted', latencyTargetFraction: 0.8 },
    heartbeatTimeoutSeconds: 30,
  });
}

/** Identifies a spec (and the thread count the engine ran with) for matching a run to its reference. */
export function specKey(spec: StudySpec, engineEnv: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify({ spec, engineEnv })).digest('hex').slice(0, 12);
}
