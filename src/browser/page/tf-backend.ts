/**
 * Picks the TF.js backend in a page: the first of WebGPU, WebGL, WASM, CPU that initialises (or the one
 * asked for), and says which it is and how it runs, so a table or a latency never hides that it came
 * from software WebGL or single-threaded WASM.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { BROWSER_BACKENDS, type BackendPreference, type BrowserBackend } from '../backends';

export { tf };

export interface ActiveBackend {
  name: BrowserBackend;
  /** e.g. 'threaded SIMD binary, 2 threads' or 'WebGL 2, renderer ANGLE (SwiftShader)'. */
  detail: string;
  threads: number;
  /** Backends tried before it and why they were not used. */
  skipped: string[];
}

async function wasmDetail(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const binary = mt && simd ? 'threaded SIMD' : simd ? 'SIMD' : 'plain';
  return `${binary} binary, ${getThreadsCount()} thread${getThreadsCount() === 1 ? '' : 's'}${mt ? '' : ' (page not cross-origin isolated or no SharedArrayBuffer)'}`;
}

function webglDetail(): string {
  const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
  const info = gl?.getExtension('WEBGL_debug_renderer_info');
  const renderer = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'unknown renderer';
  return `WebGL ${tf.env().getNumber('WEBGL_VERSION')}, ${renderer}`;
}

/** Sets the backend; `wasmDir` is the URL directory holding tfjs-backend-wasm*.wasm (served locally). */
export async function chooseBackend(preference: BackendPreference, wasmDir: string): Promise<ActiveBackend> {
  setWasmPaths(new URL(wasmDir, location.href).href);
  const order: BrowserBackend[] = preference === 'auto' ? [...BROWSER_BACKENDS] : [preference];
  const skipped: string[] = [];
  for (const name of order) {
    if (name === 'webgpu' && !('gpu' in navigator)) {
      skipped.push('webgpu: navigator.gpu is absent');
      continue;
    }
    let ok = false;
    try {
      ok = await tf.setBackend(name);
      if (ok) await tf.ready();
    } catch (err) {
      skipped.push(`${name}: ${(err as Error).message}`);
      continue;
    }
    if (!ok) {
      skipped.push(`${name}: did not initialise`);
      continue;
    }
    const detail = name === 'wasm' ? await wasmDetail() : name === 'webgl' ? webglDetail() : name === 'webgpu' ? 'WebGPU adapter' : 'pure JS';
    return { name, detail, threads: name === 'wasm' ? getThreadsCount() : 1, skipped };
  }
  throw new Error(
    `no TF.js backend could start here (${preference === 'auto' ? 'tried ' + order.join(', ') : 'asked for ' + preference}): ${skipped.join('; ')}`,
  );
}

/** Resolves after the browser has had a chance to paint (progress stays visible during long timing loops). */
export function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
