/**
 * Where a device's measurements are cached between studies: its latency tables and the latency of its
 * reference network, one file per device fingerprint and space (SPNAS_TABLE_CACHE, default
 * ~/.cache/spnas/tables). Files are replaced atomically, so a concurrent study reads the old file or
 * the new one, never half of one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { latencyShape } from '../latency/default-tables';
import { tableCacheKey, type DeviceFingerprint } from '../latency/device-fingerprint';
import type { SearchSpace } from '../space/spec';

export function tableCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPNAS_TABLE_CACHE || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'spnas', 'tables');
}

/** The key of a device's cached files for a space (its table `<key>.json`, its reference `<key>.reference.json`). */
export function deviceCacheKey(space: SearchSpace, fp: DeviceFingerprint): string {
  return tableCacheKey(fp, space.name, latencyShape(space));
}

/** The parsed JSON of a cache file; undefined when absent or torn (the caller measures again). */
export function readCacheFile(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export function writeCacheFile(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 1));
  fs.renameSync(tmp, file);
}
