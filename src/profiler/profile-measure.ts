/**
 * The latency profiler's method, free of Node: it runs unchanged in Node (profiler.ts adds the host's
 * threads, CPU and hostname) and in a browser page (src/browser/page/profile-page.ts, bundled), so a
 * table profiled in a browser is measured exactly like one profiled on tfjs-node.
 *
 * Method (docs/runtime-model.md has the reasons):
 *   - every candidate of every searchable layer (k3e3, k3e6, k5e3, k5e6, and each with SE when the
 *     space has searchable SE) is a one-block model timed IN ISOLATION at batch 1 on an input of the
 *     layer's input size; the fixed part is two models (stem + first block; last block + head);
 *   - a do-nothing model per output shape measures the per-predict-call overhead, which is subtracted
 *     from each isolated block and kept once in fixedMs (model/assemble-table.ts);
 *   - all models, including the whole networks of the check, are timed in the same interleaved rounds
 *     after warm-up (nas/model-timing.ts); each model's statistic over the rounds (the mean by default).
 * Measuring and summarising are separate so one measurement can be summarised with several statistics.
 */
import type * as TF from '@tensorflow/tfjs';
import { buildChild } from '../nas/child-builder';
import { latencySamples } from '../nas/model-timing';
import { CANDIDATES, architectureToString, type Architecture, type Candidate } from '../space/architecture';
import { layoutOf } from '../space/layers';
import type { SearchSpace } from '../space/spec';
import { backModel, candidateModel, frontModel, overheadModel, type ModelToTime } from './block-models';
import { assembleTable } from '../latency/assemble-table';
import type { LatencyTable } from '../latency/latency-table';
import type { DeviceFingerprint } from '../latency/device-fingerprint';
import { predictionReport, type PredictionReport } from '../latency/prediction-error';
import { predictArchitectureLatency, predictArchitectureLatencyExact } from '../latency/runtime-model';
import { sampleArchitectures } from '../latency/sample-architectures';
import { DEFAULT_STATISTIC, reduceSamples, type Statistic } from '../latency/statistic';

export interface ProfileProgress {
  phase: 'build' | 'measure';
  done: number;
  total: number;
}

export interface MeasureOptions {
  /** Timed rounds per model. Default 20. */
  repeats?: number;
  /** Untimed rounds before timing. Default 5. */
  warmup?: number;
  /** Random architectures for the prediction-error check; 0 skips the check. Default 20. */
  samples?: number;
  /** Seed of the sampled architectures. Default 1. */
  seed?: number;
  /** Architectures to check besides the sampled ones (timed first, in the same rounds). */
  architectures?: Architecture[];
  /**
   * Each round in a new seeded order instead of the same one. Not the default: side by side on 40
   * networks it made tables no more accurate (bench/latency/profile-order.ts, 7 Dec: 100% within
   * +-10% either way, median error 1.3-2.7%). Default false.
   */
  shuffledOrder?: boolean;
  onProgress?: (p: ProfileProgress) => void;
}

type CandidateIdx = Record<Candidate, number>;

/** Raw timings of one profile: every sample of every model, and which model is which. */
export interface ProfileMeasurement {
  space: SearchSpace;
  /** tf.getBackend() during the measurement: 'tensorflow' (native), 'cpu' (pure JS), 'wasm', 'webgl', 'webgpu'. */
  backend: string;
  /** Threads the backend computes with (libtensorflow's intra-op pool, the WASM backend's workers). */
  threads: number;
  /** samples[i] = the timed rounds (ms) of model i. */
  samples: number[][];
  front: number;
  frontOverhead: number;
  back: number;
  logitsOverhead: number;
  layers: Array<{ plain: CandidateIdx; se?: CandidateIdx; overhead: number }>;
  archs: Array<{ arch: Architecture; model: number }>;
  repeats: number;
  warmup: number;
  seconds: number;
}

export interface ProfileResult {
  table: LatencyTable;
  /** Prediction error against measured whole networks; undefined when samples = 0. */
  report?: PredictionReport;
  /** Table entries floored to a tiny positive value (isolated cost indistinguishable from overhead). */
  floored: string[];
  /** Wall time of the measurement, seconds. */
  seconds: number;
}

/** What the table records about where it was measured (the caller knows its host; this module does not). */
export interface TableLabels {
  /** Per-model statistic over the rounds. Default 'mean' (see latency/statistic.ts for why not the median). */
  statistic?: Statistic;
  device: string;
  /** The backend as stored in meta.backend. */
  backendLabel: string;
  host: string;
  /** Who measured, stored in meta.source before the statistic, e.g. 'spnas profile'. */
  source: string;
  /** The device fingerprint, stored in meta.fingerprint (the table cache's key, src/latency/device-fingerprint.ts). */
  fingerprint?: DeviceFingerprint;
}

/** Builds and times every model of a profile of `space`. Disposes what it builds. */
export async function measureSpace(tf: typeof TF, space: SearchSpace, threads: number, opts: MeasureOptions = {}): Promise<ProfileMeasurement> {
  const start = performance.now();
  const repeats = opts.repeats ?? 20;
  const warmup = opts.warmup ?? 5;
  const layout = layoutOf(space);
  const seOptions = space.search.se ? [false, true] : [false];
  const archs = [...(opts.architectures ?? []), ...sampleArchitectures(space, opts.samples ?? 20, opts.seed ?? 1)];
  const buildTotal = 2 + layout.searchable.length * CANDIDATES.length * seOptions.length + archs.length;
  let built = 0;
  const models: ModelToTime[] = [];
  const add = (m: ModelToTime, counted = true): number => {
    if (counted) opts.onProgress?.({ phase: 'build', done: ++built, total: buildTotal });
    return models.push(m) - 1;
  };
  const overheads = new Map<string, number>();
  const overheadOf = (shape: number[]): number => {
    const k = shape.join('x');
    if (!overheads.has(k)) overheads.set(k, add(overheadModel(tf, shape), false));
    return overheads.get(k)!;
  };
  try {
    const front = add(frontModel(tf, space));
    const back = add(backModel(tf, space));
    const frontOverhead = overheadOf((models[front]!.model.outputs[0]!.shape as number[]).slice(1));
    const logitsOverhead = overheadOf([space.numClasses]);
    const layers = layout.searchable.map((l) => {
      const at = (se: boolean) => Object.fromEntries(CANDIDATES.map((c) => [c, add(candidateModel(tf, space, l, c, se))])) as CandidateIdx;
      return { plain: at(false), se: space.search.se ? at(true) : undefined, overhead: overheadOf([l.outSize, l.outSize, l.outChannels]) };
    });
    const imageShape = [space.inputSize, space.inputSize, space.inputChannels];
    const archIdx = archs.map((arch, i) => ({
      arch,
      model: add({ label: `arch ${i}`, model: buildChild(tf, space, arch, { seed: i }), inputShape: imageShape }),
    }));
    const samples = await latencySamples(tf, models, {
      warmup,
      repeats,
      ...(opts.shuffledOrder ? { shuffleSeed: opts.seed ?? 1 } : {}),
      onRound: (done, total) => opts.onProgress?.({ phase: 'measure', done, total }),
    });
    const seconds = (performance.now() - start) / 1000;
    return { space, backend: tf.getBackend(), threads, samples, front, frontOverhead, back, logitsOverhead, layers, archs: archIdx, repeats, warmup, seconds };
  } finally {
    models.forEach((m) => m.model.dispose());
  }
}

/** Reduces a measurement to a table (with the overhead model) and its prediction-error report. */
export function summariseMeasurement(m: ProfileMeasurement, labels: TableLabels): ProfileResult {
  const statistic = labels.statistic ?? DEFAULT_STATISTIC;
  const t = reduceSamples(m.samples, statistic);
  const pick = (r: CandidateIdx) => Object.fromEntries(CANDIDATES.map((c) => [c, t[r[c]]!])) as Record<Candidate, number>;
  const { table, floored } = assembleTable(
    {
      frontMs: t[m.front]!,
      frontOverheadMs: t[m.frontOverhead]!,
      backMs: t[m.back]!,
      callOverheadMs: t[m.logitsOverhead]!,
      layers: m.layers.map((l) => ({ plain: pick(l.plain), se: l.se ? pick(l.se) : undefined, overheadMs: t[l.overhead]! })),
    },
    {
      space: m.space.name,
      device: labels.device,
      meta: {
        backend: labels.backendLabel,
        threads: m.threads,
        batch: 1,
        repeats: m.repeats,
        warmup: m.warmup,
        date: new Date().toISOString(),
        host: labels.host,
        source: `${labels.source}, statistic ${statistic}`,
        ...(labels.fingerprint ? { fingerprint: labels.fingerprint } : {}),
      },
    },
  );
  const report = m.archs.length
    ? predictionReport(
        m.archs.map(({ arch, model }) => ({
          arch: architectureToString(arch),
          measuredMs: t[model]!,
          predictedMs: predictArchitectureLatencyExact(table, arch),
          formulaMs: predictArchitectureLatency(table, arch),
        })),
      )
    : undefined;
  return { table, report, floored, seconds: m.seconds };
}
