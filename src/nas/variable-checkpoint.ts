/**
 * Converts named tf variables to and from checkpoint tensors (plain typed arrays). Restoring checks
 * that every variable is present with its shape, so a checkpoint of another space or config fails
 * with a clear message instead of silently loading part of the state.
 */
import type * as TF from '@tensorflow/tfjs';
import { InvalidInputError } from '../errors';
import type { TensorData } from '../storage/checkpoint-store';

export function variablesToTensors(named: Array<[string, TF.Variable]>): Record<string, TensorData> {
  const out: Record<string, TensorData> = {};
  for (const [name, v] of named) out[name] = { dtype: 'float32', shape: [...v.shape], data: v.dataSync() as Float32Array };
  return out;
}

export function restoreVariables(tf: typeof TF, named: Array<[string, TF.Variable]>, tensors: Record<string, TensorData>, where: string): void {
  for (const [name, v] of named) {
    const t = tensors[name];
    if (!t)
      throw new InvalidInputError(
        `checkpoint ${where} has no tensor '${name}': it was written for another space or configuration; use a fresh output directory`,
      );
    if (t.shape.join(',') !== v.shape.join(',')) {
      throw new InvalidInputError(
        `checkpoint ${where}: tensor '${name}' has shape [${t.shape}] but the model expects [${v.shape}]; use a fresh output directory`,
      );
    }
  }
  for (const [name, v] of named) {
    const t = tensors[name]!;
    tf.tidy(() => v.assign(tf.tensor(t.data as Float32Array, t.shape, 'float32')));
  }
}
