/**
 * The loop shared by the architecture search and the child's retraining: iterates deterministic
 * batches from a resume position, calls the step, checkpoints every N steps (and when cancelled),
 * reports progress, and stops cleanly on an AbortSignal. One step = one batch.
 */
import { CancelledError } from '../errors';
import type { BatchSource, Batch } from './batch-source';

export interface StepStats {
  loss: number;
  /** Further named numbers (ce, runtimeMs, lr, ...), passed through to progress events. */
  [k: string]: number | string;
}

export interface LoopProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  imagesPerSec: number;
  stats: StepStats;
}

export interface LoopSpec {
  source: BatchSource;
  totalSteps: number;
  /** First step to run (the step after the restored checkpoint). */
  startStep: number;
  checkpointEvery: number;
  step(batch: Batch, step: number, epoch: number): StepStats;
  saveCheckpoint(nextStep: number): Promise<void>;
  onProgress?: (p: LoopProgress) => void;
  /** Called after the last step of every complete epoch (1-based epoch count), e.g. to evaluate. */
  onEpochEnd?: (epochsDone: number) => Promise<void> | void;
  signal?: AbortSignal;
  /** Awaited before every step: background work the step's timers started (a lease renewal) finishes first. */
  settle?: () => Promise<void>;
}

/**
 * Lets timers run between steps. Batches come from memory, so the loop never waits for I/O and,
 * without this, timers (lease renewal, activity heartbeats) would only fire at checkpoints.
 */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs steps [startStep, totalSteps); returns the last step's stats (undefined if none ran). */
export async function runTrainingLoop(spec: LoopSpec): Promise<StepStats | undefined> {
  const bpe = spec.source.batchesPerEpoch;
  let step = spec.startStep;
  let last: StepStats | undefined;
  let windowStart = process.hrtime.bigint();
  let windowImages = 0;
  while (step < spec.totalSteps) {
    const epoch = Math.floor(step / bpe);
    for await (const batch of spec.source.batches(epoch, step % bpe)) {
      if (step >= spec.totalSteps) break;
      if (spec.signal?.aborted) {
        await spec.saveCheckpoint(step);
        throw new CancelledError(`cancelled at step ${step}; checkpoint saved, rerun to resume`);
      }
      await yieldToEventLoop();
      await spec.settle?.();
      last = spec.step(batch, step, step / bpe);
      step++;
      windowImages += batch.size;
      const now = process.hrtime.bigint();
      const secs = Number(now - windowStart) / 1e9;
      spec.onProgress?.({ step, totalSteps: spec.totalSteps, epoch: step / bpe, imagesPerSec: windowImages / Math.max(secs, 1e-9), stats: last });
      if (secs > 10) {
        windowStart = now;
        windowImages = 0;
      }
      if (step % spec.checkpointEvery === 0 && step < spec.totalSteps) await spec.saveCheckpoint(step);
      if (step % bpe === 0) await spec.onEpochEnd?.(step / bpe);
    }
  }
  await spec.saveCheckpoint(step);
  return last;
}
