/**
 * What a latency was measured on (Node only: it reads the environment and the CPU count, which is why
 * it is not in model-timing.ts, which browser pages bundle).
 */
import * as os from 'node:os';
import type * as TF from '@tensorflow/tfjs';

/** What a latency was measured on: two timings compare only when these agree. */
export interface TimingBackend {
  /** tf.getBackend(): 'tensorflow' (native libtensorflow, CPU or GPU binding) or e.g. 'cpu' (pure JS). */
  backend: string;
  /** False on the pure-JS fallback, whose latency says nothing about a deployment. */
  native: boolean;
  /** Intra-op threads: TF_NUM_INTRAOP_THREADS when set, else libtensorflow's default (one per usable CPU); 1 for pure JS. */
  threads: number;
}

export function timingBackend(tf: typeof TF): TimingBackend {
  const backend = tf.getBackend();
  const native = backend === 'tensorflow';
  const env = Number(process.env.TF_NUM_INTRAOP_THREADS);
  const threads = !native ? 1 : Number.isInteger(env) && env > 0 ? env : os.availableParallelism();
  return { backend, native, threads };
}
