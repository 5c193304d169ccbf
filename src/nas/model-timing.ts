/**
 * Wall-clock timing of model.predict on the active TF.js backend, batch 1.
 *
 * Models are timed in interleaved rounds (round r runs every model once) rather than one model
 * `repeats` times in a row: load from other processes and CPU frequency drift then hit every model
 * alike, and each model starts with the caches as a whole network leaves them (other blocks' weights
 * in between), not with its own weights hot from the previous call.
 */
import type * as TF from '@tensorflow/tfjs';
import { Rng, shuffleInPlace } from '../random/mulberry32';

/** A model to time, with the input shape (without batch) it is fed. */
export interface ModelToTime {
  /** Human label for progress lines, e.g. 'l3 k5e6+se'. */
  label: string;
  model: TF.LayersModel;
  inputShape: number[];
}

export interface TimingOptions {
  /** Untimed calls per model before the timed rounds (JIT, kernel selection, allocator). Default 5. */
  warmup?: number;
  /** Timed rounds (samples per model). Default 20. */
  repeats?: number;
  /** Called after each timed round (1-based). */
  onRound?: (round: number, rounds: number) => void;
  /**
   * Seed of a new random order in every timed round: no model always follows the same neighbours (in a
   * fixed order each carries its neighbours' cache effect in every sample). Profiles may set it
   * (`shuffledOrder`; measured no better, profile-measure.ts). Absent: the given order every round
   * (a paired measurement, where each call follows the reference's).
   */
  shuffleSeed?: number;
}

/**
 * Milliseconds of one predict call, synchronised by awaiting the output's data. performance.now(), not
 * process.hrtime: the browser profiler runs this same code (sub-microsecond in Node; in a browser 5 us
 * when the page is cross-origin isolated, which the profiling server arranges).
 */
export async function timePredict(model: TF.LayersModel, input: TF.Tensor): Promise<number> {
  const t0 = performance.now();
  const y = model.predict(input) as TF.Tensor;
  await y.data();
  const t1 = performance.now();
  y.dispose();
  return t1 - t0;
}

/** Every timed sample (ms) of each model: `repeats` per model, same order as `models`. */
export async function latencySamples(tf: typeof TF, models: readonly ModelToTime[], opts: TimingOptions = {}): Promise<number[][]> {
  const warmup = opts.warmup ?? 5;
  const repeats = opts.repeats ?? 20;
  const inputs = models.map((m) => tf.randomNormal([1, ...m.inputShape], 0, 1, 'float32', 7));
  try {
    for (let w = 0; w < warmup; w++) {
      for (let i = 0; i < models.length; i++) await timePredict(models[i]!.model, inputs[i]!);
    }
    const samples: number[][] = models.map(() => []);
    const order = models.map((_, i) => i);
    const rng = opts.shuffleSeed === undefined ? undefined : new Rng(opts.shuffleSeed);
    for (let r = 0; r < repeats; r++) {
      if (rng) shuffleInPlace(order, rng);
      for (const i of order) samples[i]!.push(await timePredict(models[i]!.model, inputs[i]!));
      opts.onRound?.(r + 1, repeats);
    }
    return samples;
  } finally {
    inputs.forEach((x) => x.dispose());
  }
}
