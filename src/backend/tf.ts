/**
 * Chooses and loads the TensorFlow.js backend once per process.
 *
 * Automatic choice (SPNAS_TF_BACKEND=gpu|cpu|js overrides it):
 *   1. a CUDA device visible -> the GPU binding (@tensorflow/tfjs-node-gpu);
 *   2. otherwise, or when the GPU binding is not built -> the CPU binding (@tensorflow/tfjs-node);
 *   3. neither builds -> the pure-JS backend, loudly: ~1000x slower for training.
 * Every fallback that a user may not expect (a device but no GPU binding, a GPU binding but no device,
 * a GPU binding whose TensorFlow found no usable GPU) is printed on stderr with the reason. Both
 * bindings are the same libtensorflow C API; the GPU path differs only in which wheel the binding was
 * built from and in the CUDA libraries the image provides (docs/native-backend.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { InvalidInputError } from '../errors';

export type BackendKind = 'gpu' | 'cpu' | 'js';
export interface LoadedBackend {
  tf: typeof TF;
  /** Which binding is loaded: 'gpu' (tfjs-node-gpu), 'cpu' (tfjs-node) or 'js' (no native code). */
  kind: BackendKind;
  /** The tfjs backend name: 'tensorflow' for both native kinds, 'cpu' for pure JS. */
  name: string;
  /** Where TensorFlow runs ops: 'gpu' only when the GPU binding found a CUDA device. */
  device: 'gpu' | 'cpu';
  /** The npm package of the binding (undefined for pure JS). */
  binding?: string;
  /** libtensorflow's version (undefined for pure JS). */
  libtensorflow?: string;
  /** Why this backend and device, in one sentence. */
  reason: string;
}

const PACKAGES = { gpu: '@tensorflow/tfjs-node-gpu', cpu: '@tensorflow/tfjs-node' } as const;
let loaded: LoadedBackend | undefined;

/** Whether the CUDA driver exposes a device to this process, and why (not). */
export function cudaDevice(env: NodeJS.ProcessEnv = process.env, devDir = '/dev'): { visible: boolean; why: string } {
  const cvd = env.CUDA_VISIBLE_DEVICES;
  if (cvd !== undefined && (cvd.trim() === '' || cvd.trim() === '-1')) return { visible: false, why: `CUDA_VISIBLE_DEVICES='${cvd}' hides every device` };
  let nodes: string[] = [];
  try {
    nodes = fs.readdirSync(devDir).filter((n) => /^nvidia\d+$/.test(n));
  } catch {
    // no /dev: no device
  }
  return nodes.length > 0
    ? { visible: true, why: `${nodes.map((n) => `${devDir}/${n}`).join(', ')} present` }
    : { visible: false, why: `no ${devDir}/nvidia<N> device node: no NVIDIA driver, or no GPU given to this container` };
}

/** Whether a binding was built (its addon exists), without loading it: two bindings cannot share a process. */
export function bindingBuilt(kind: 'gpu' | 'cpu'): boolean {
  try {
    const dir = path.join(path.dirname(require.resolve(`${PACKAGES[kind]}/package.json`)), 'lib');
    return fs.readdirSync(dir).some((d) => fs.existsSync(path.join(dir, d, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}

function tryRequire(pkg: string): boolean {
  try {
    require(pkg);
    return true;
  } catch {
    return false;
  }
}

function loud(lines: string[]): void {
  process.stderr.write(`\n${lines.map((l) => `*** spnas: ${l}`).join('\n')}\n\n`);
}

function finish(kind: BackendKind, reason: string): LoadedBackend {
  const tf = require('@tensorflow/tfjs') as typeof TF;
  if (kind === 'js') {
    void tf.setBackend('cpu');
    loaded = { tf, kind, name: tf.getBackend(), device: 'cpu', reason };
    return loaded;
  }
  const be = tf.backend() as unknown as { isUsingGpuDevice?: boolean; binding?: { TF_Version?: string } };
  const device = be.isUsingGpuDevice ? 'gpu' : 'cpu';
  loaded = { tf, kind, name: tf.getBackend(), device, binding: PACKAGES[kind], libtensorflow: be.binding?.TF_Version, reason };
  return loaded;
}

/** The GPU binding is loaded; if TensorFlow found no GPU, say so loudly and record why. */
function warnIfNoGpu(b: LoadedBackend, cuda: { visible: boolean; why: string }): LoadedBackend {
  if (b.device === 'gpu') return b;
  const why = cuda.visible ? `${cuda.why}, but TensorFlow found no usable GPU (driver, CUDA 12.5 and cuDNN 9.3 libraries?)` : cuda.why;
  b.reason += `; ops run on the CPU device: ${why}`;
  loud([`GPU binding loaded, but ops run on the CPU device: ${why}.`, 'See docs/native-backend.md for what the GPU binding needs.']);
  return b;
}

/** Loads (once) and returns the backend: see the module comment for the order. */
export function loadTf(): LoadedBackend {
  if (loaded) return loaded;
  const wanted = process.env.SPNAS_TF_BACKEND;
  if (wanted && !['gpu', 'cpu', 'js'].includes(wanted)) {
    throw new InvalidInputError(`SPNAS_TF_BACKEND='${wanted}' is not a backend; use gpu, cpu or js (or unset it for automatic choice)`);
  }
  // libtensorflow's INFO lines (oneDNN, CPU features) would drown our progress output.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  // Host memory from TF's BFC pool instead of malloc: a training step allocates and frees tensors of
  // up to 50 MB op by op; malloc returns blocks that large to the OS, so every new output paid page
  // faults on fresh pages (a ReLU over 128x32x32x96 spent ~9x its arithmetic on them). Values are
  // unchanged (same kernels); docs/engine-performance.md. Read by libtensorflow when it creates the
  // CPU device, so it must be set before the binding loads; an explicit setting wins.
  process.env.TF_CPU_ALLOCATOR_USE_BFC ??= 'true';
  const cuda = cudaDevice();

  if (wanted === 'gpu' || wanted === 'cpu') {
    if (!tryRequire(PACKAGES[wanted])) {
      throw new InvalidInputError(
        `SPNAS_TF_BACKEND=${wanted}: ${PACKAGES[wanted]} does not load (its binding is not built); run ` +
          (wanted === 'gpu' ? 'SPNAS_GPU=1 bash scripts/setup.sh' : 'bash scripts/setup.sh'),
      );
    }
    const b = finish(wanted, `SPNAS_TF_BACKEND=${wanted}`);
    if (wanted === 'gpu') warnIfNoGpu(b, cuda);
    return b;
  }
  if (wanted === 'js') return finish('js', 'SPNAS_TF_BACKEND=js');

  if (cuda.visible) {
    if (tryRequire(PACKAGES.gpu)) {
      return warnIfNoGpu(finish('gpu', `a CUDA device is visible (${cuda.why})`), cuda);
    }
    if (tryRequire(PACKAGES.cpu)) {
      loud([
        `a CUDA device is visible (${cuda.why}) but the GPU binding is not built: training runs on the CPU.`,
        'Build it with SPNAS_GPU=1 bash scripts/setup.sh (docs/native-backend.md).',
      ]);
      return finish('cpu', `a CUDA device is visible but ${PACKAGES.gpu} is not built`);
    }
  } else if (tryRequire(PACKAGES.cpu)) {
    // Silent on a CPU-only install; loud when someone built the GPU binding and expects a GPU.
    if (bindingBuilt('gpu')) loud([`the GPU binding is built but no CUDA device is visible, so training runs on the CPU binding: ${cuda.why}.`]);
    return finish('cpu', `no CUDA device visible: ${cuda.why}`);
  }
  loud([
    'native TensorFlow backend unavailable; using the pure-JS backend.',
    'Training is ~1000x slower. Run `bash scripts/setup.sh` (scripts/install-native-tf.sh).',
  ]);
  return finish('js', `neither ${PACKAGES.cpu} nor ${PACKAGES.gpu} loads`);
}

/** Shorthand for modules that only need the tf namespace. */
export function tf(): typeof TF {
  return loadTf().tf;
}
