/**
 * Chooses and loads the TensorFlow.js backend once per process.
 *
 * Order (SPNAS_TF_BACKEND overrides: gpu | cpu | js):
 *   1. @tensorflow/tfjs-node-gpu when a CUDA device is visible and that package is installed;
 *   2. @tensorflow/tfjs-node (libtensorflow on the CPU);
 *   3. the pure-JS backend, with a loud warning: it is ~1000x slower for training
 *      (one MBConv training step measured 46 s on it).
 * The GPU path differs from the tested CPU path only by package (same API): untested here, no GPU.
 */
import * as fs from 'node:fs';
import type * as TF from '@tensorflow/tfjs';
import { InvalidInputError } from '../errors';

export type BackendKind = 'gpu' | 'cpu' | 'js';
export interface LoadedBackend {
  tf: typeof TF;
  kind: BackendKind;
  /** The tfjs backend name: 'tensorflow' for both native kinds, 'cpu' for pure JS. */
  name: string;
}

let loaded: LoadedBackend | undefined;

function cudaVisible(): boolean {
  if (process.env.CUDA_VISIBLE_DEVICES === '' || process.env.CUDA_VISIBLE_DEVICES === '-1') return false;
  return fs.existsSync('/dev/nvidia0') || fs.existsSync('/dev/nvidiactl');
}

function tryRequire(pkg: string): boolean {
  try {
    require(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Loads (once) and returns the best available backend. */
export function loadTf(): LoadedBackend {
  if (loaded) return loaded;
  const wanted = process.env.SPNAS_TF_BACKEND;
  if (wanted && !['gpu', 'cpu', 'js'].includes(wanted)) {
    throw new InvalidInputError(`SPNAS_TF_BACKEND='${wanted}' is not a backend; use gpu, cpu or js (or unset it for automatic choice)`);
  }
  // libtensorflow's INFO lines (oneDNN, CPU features) would drown our progress output.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  const order: BackendKind[] = wanted ? [wanted as BackendKind] : cudaVisible() ? ['gpu', 'cpu', 'js'] : ['cpu', 'js'];
  for (const kind of order) {
    if (kind === 'gpu' && !tryRequire('@tensorflow/tfjs-node-gpu')) continue;
    if (kind === 'cpu' && !tryRequire('@tensorflow/tfjs-node')) continue;
    const tf = require('@tensorflow/tfjs') as typeof TF;
    if (kind === 'js') {
      void tf.setBackend('cpu');
      process.stderr.write(
        '\n*** spnas WARNING: native TensorFlow backend unavailable; using the pure-JS backend. ***\n' +
          '*** Training is ~1000x slower. Run `npm run setup` (scripts/install-native-tf.sh). ***\n\n',
      );
    }
    loaded = { tf, kind, name: tf.getBackend() };
    return loaded;
  }
  throw new InvalidInputError(
    `SPNAS_TF_BACKEND=${wanted} was requested but its package does not load; run scripts/install-native-tf.sh ${wanted === 'gpu' ? 'gpu' : 'cpu'}`,
  );
}

/** Shorthand for modules that only need the tf namespace. */
export function tf(): typeof TF {
  return loadTf().tf;
}
