/**
 * Which settings act during a search's lambda-free warm-up, and the content key of a warm-up that
 * trials can share. The runtime term is off during warm-up, so lambda, the runtime-loss form and the
 * target never act; the epoch counts only say where the warm-up stops (checkpoints are kept at
 * every epoch, the learning-rate schedule depends on the epoch, not on the totals); checkpoint
 * cadence and retention change no numbers. The runtime term's gradient options multiply lambda = 0
 * then. With thresholds frozen during the warm-up and updated by plain SGD (the defaults) the
 * thresholds' learning rate never acts either (SGD keeps no state). Everything else is part of the key.
 * test/study/warmup-key.test.ts checks that equal keys give bit-identical warm-up checkpoints.
 */
import type { DataSpec } from '../config/data-spec';
import type { SearchConfig } from '../config/training-config';
import type { SearchSpace } from '../space/spec';
import { contentKey } from './content-key';

const NOT_IN_WARMUP = [
  'epochs',
  'warmupEpochs',
  'runtimeLoss',
  'runtimeGradient',
  'runtimeGradientTo',
  'belowTargetWeight',
  'checkpointEvery',
  'keepCheckpoints',
] as const;
/** Act only on moving thresholds: out of the key when they are frozen during the warm-up. */
const THRESHOLD_ONLY = ['maxFlipsPerStep'] as const;

/** The part of a search config that determines the warm-up's weights. */
export function warmupIdentity(config: SearchConfig): Record<string, unknown> {
  const id: Record<string, unknown> = { ...config };
  for (const k of NOT_IN_WARMUP) delete id[k];
  if (config.warmupThresholds === 'frozen') for (const k of THRESHOLD_ONLY) delete id[k];
  if (config.warmupThresholds === 'frozen' && config.thresholdUpdate === 'sgd') delete id.thresholdLrMultiplier;
  return id;
}

/** Content key of the warm-up of (space, data, config): equal keys mean bit-identical warm-ups. */
export function warmupKey(space: SearchSpace, data: DataSpec, config: SearchConfig): string {
  return contentKey({ space, data, config: warmupIdentity(config) });
}
