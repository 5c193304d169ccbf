/**
 * `profileSpace`: measures a latency table for a search space on the TF.js backend this process runs,
 * and checks it against measured whole-network latency of sampled architectures.
 *
 * The method lives in profile-measure.ts (no Node there: the browser profiler runs the same code);
 * this module adds what only Node knows: libtensorflow's thread count, the CPU and the hostname.
 */
import * as os from 'node:os';
import type * as TF from '@tensorflow/tfjs';
import type { SearchSpace } from '../space/spec';
import type { Statistic } from '../latency/statistic';
import { timingBackend } from '../nas/timing-backend';
import * as portable from './profile-measure';
import type { MeasureOptions, ProfileMeasurement, ProfileResult } from './profile-measure';

export type { MeasureOptions, ProfileMeasurement, ProfileProgress, ProfileResult } from './profile-measure';

export interface SummaryOptions {
  /** Per-model statistic over the rounds. Default 'mean' (see latency/statistic.ts for why not the median). */
  statistic?: Statistic;
  /** Device label stored in the table. Default: backend and CPU model. */
  device?: string;
}

/** Builds and times every model of a profile of `space` (pass `loadTf().tf`). Disposes what it builds. */
export async function measureSpace(tf: typeof TF, space: SearchSpace, opts: MeasureOptions = {}): Promise<ProfileMeasurement> {
  return portable.measureSpace(tf, space, timingBackend(tf).threads, opts);
}

/** Reduces a measurement to a table (with the overhead model) and its prediction-error report. */
export function summariseMeasurement(m: ProfileMeasurement, opts: SummaryOptions = {}): ProfileResult {
  return portable.summariseMeasurement(m, {
    statistic: opts.statistic,
    device: opts.device ?? deviceLabel(m.backend),
    backendLabel: backendLabel(m.backend),
    host: os.hostname(),
    source: 'spnas profile',
  });
}

/** measureSpace + summariseMeasurement. */
export async function profileSpace(tf: typeof TF, space: SearchSpace, opts: MeasureOptions & SummaryOptions = {}): Promise<ProfileResult> {
  return summariseMeasurement(await measureSpace(tf, space, opts), opts);
}

/** The tfjs backend as stored in tables: a pure-JS table must never pass for a native one. */
function backendLabel(backend: string): string {
  return backend === 'tensorflow' ? 'tfjs tensorflow (native libtensorflow)' : `tfjs ${backend}${backend === 'cpu' ? ' (pure JS)' : ''}`;
}

function deviceLabel(backend: string): string {
  const cpus = os.cpus();
  return `${backendLabel(backend)} on ${cpus[0]?.model.trim() ?? 'unknown CPU'} x${cpus.length}`;
}
