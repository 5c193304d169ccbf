/**
 * This process's device fingerprint (src/latency/device-fingerprint.ts): the loaded tfjs backend and
 * where it computes, the CPU model, the intra-op threads, tfjs's and libtensorflow's versions, and the
 * GPU model when TensorFlow computes on one (from the NVIDIA driver's /proc files).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LoadedBackend } from '../backend/tf';
import type { DeviceFingerprint } from '../latency/device-fingerprint';
import { timingBackend } from '../nas/timing-backend';

function gpuModel(dir = '/proc/driver/nvidia/gpus'): string | undefined {
  try {
    const first = fs.readdirSync(dir).sort()[0];
    if (!first) return undefined;
    const info = fs.readFileSync(path.join(dir, first, 'information'), 'utf8');
    return /^Model:\s*(.+)$/m.exec(info)?.[1]?.trim();
  } catch {
    return undefined;
  }
}

export function deviceFingerprint(loaded: LoadedBackend): DeviceFingerprint {
  const { tf } = loaded;
  const on = timingBackend(tf);
  const gpu = loaded.device === 'gpu' ? (gpuModel() ?? 'unknown GPU') : undefined;
  return {
    backend: on.native ? `${on.backend} ${loaded.device}` : on.backend,
    cpu: os.cpus()[0]?.model.trim() ?? '',
    threads: on.threads,
    tfjs: tf.version.tfjs,
    ...(loaded.libtensorflow ? { libtensorflow: loaded.libtensorflow } : {}),
    ...(gpu ? { gpu } : {}),
  };
}
