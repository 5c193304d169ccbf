/**
 * What `spnas report` draws, computed from a study's summary: pure data, no I/O. The HTML template
 * renders it and the page script charts it; `spnas report --json` prints it. A running study (no
 * final models, trials still running) gives the same shape with fewer things filled in.
 */
import { tableFitView, type TableFitView } from './table-fit-view';
import type { Params } from '../hpo/space';
import type { LatencyTable } from '../latency/latency-table';
import { layerLatencyExact } from '../latency/runtime-model';
import { parseOpName } from '../space/architecture';
import { top1Fields } from '../study/accuracy';
import type { FinalModel, FrontMember, SelectionDecision, StudySummary, Top1Uncertainty, TrialRecord, TrialState } from '../study/records';
import type { OverlayView } from './overlay';
import { searchCurve, type SearchCurve, type TraceInput } from './search-curves';

export const REPORT_VIEW_VERSION = 1;

/** One finished trial on the front chart (its top-1 with image count and 95% interval, when known). */
export interface FrontPoint extends Top1Uncertainty {
  trialId: number;
  top1: number;
  /** The study's latency objective: measured when the study measures, else the table's prediction. */
  latencyMs: number;
  lambda?: number;
  onFront: boolean;
  architecture: string;
  params: Params;
}

export interface LayerView {
  index: number;
  op: string;
  skip: boolean;
  kernel?: number;
  expansion?: number;
  se: boolean;
  /** The table's latency of this layer's op (0 for skip); undefined without a table that fits. */
  ms?: number;
}

export interface FrontMemberView extends Top1Uncertainty {
  trialId: number;
  top1: number;
  latencyMs: number;
  lambda?: number;
  architecture: string;
  selected: boolean;
  /** The selected model when a tie the front broke by latency kept it off the front. */
  offFront?: boolean;
  /** Tied trials this member kept off the front and the tie-break that did. */
  ties?: FrontMember['ties'];
  layers: LayerView[];
  /** Table prediction: fixedMs + the layers. */
  fixedMs?: number;
  predictedMs?: number;
}

export interface TrialRow {
  trialId: number;
  configId?: number;
  budget?: number;
  state: TrialState;
  params: Params;
  architecture?: string;
  predictedMs?: number;
  measuredMs?: number;
  /** The measurement's own 95% interval (ms). */
  measuredIntervalMs?: [number, number];
  top1?: number;
  images?: number;
  interval?: [number, number];
  supernetTop1?: number;
  supernetImages?: number;
  supernetInterval?: [number, number];
  /** Compute seconds of the trial's activities (search + retrain + evaluate). */
  seconds?: number;
  /** Wall time of the trial's workflow (ends at the summary's time while it runs). */
  wallSeconds: number;
  failure?: { type: string; message: string };
}

export interface ReportView {
  version: typeof REPORT_VIEW_VERSION;
  study: {
    name: string;
    state: StudySummary['state'];
    running: boolean;
    storage: string;
    space: string;
    sampler: string;
    startedAt: number;
    endedAt?: number;
    /** Time of the summary (the study's last update). */
    now: number;
    trials: StudySummary['trials'];
    parallelism: number;
  };
  latency: { objective: 'measured' | 'predicted'; targetMs: number; largestMs: number; tableUri: string; device?: string };
  /** The table's accuracy on the study's measured networks and its device (src/report/table-fit-view.ts). */
  tableFit?: TableFitView;
  points: FrontPoint[];
  front: FrontMemberView[];
  selectedTrialId?: number;
  /** How the selected model was chosen: resolved by the intervals, or the tie-break that decided. */
  selection?: SelectionDecision;
  paramNames: string[];
  trials: TrialRow[];
  curves: SearchCurve[];
  convergence: {
    /** After each finished trial (in finish order): the best top-1 so far, overall and within the latency target. */
    bestSoFar: Array<{ finished: number; trialId: number; top1?: number; top1WithinTarget?: number }>;
    hypervolume: Array<{ finished: number; hv: number }>;
  };
  cost: {
    phases: Array<{ phase: string; seconds: number }>;
    totalSeconds: number;
    savedByWarmup: number;
  };
  final: FinalModel[];
  overlay?: OverlayView;
  /** Things the report could not show (a trace missing, a table that does not fit). */
  warnings: string[];
}

export interface ReportInput {
  summary: StudySummary;
  /** The study's latency table, when it could be read; per-layer latencies need it. */
  table?: LatencyTable;
  /** Each distinct trace URI's content, or why it could not be read. */
  traces: Map<string, TraceInput | { error: string }>;
  overlay?: OverlayView;
  /** Problems found while loading (reported on the page). */
  warnings?: string[];
}

const PHASES = ['profile', 'warmup', 'search', 'retrain', 'evaluate', 'final'] as const;

function specField(spec: unknown, ...keys: string[]): unknown {
  let v: unknown = spec;
  for (const k of keys) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

export function layersOf(architecture: string, table: LatencyTable | undefined): LayerView[] {
  const names = architecture.split(',');
  const fits = table !== undefined && table.layers.length === names.length;
  return names.map((name, index) => {
    const op = parseOpName(name);
    const row = fits ? table.layers[index] : undefined;
    let ms: number | undefined;
    try {
      ms = row ? layerLatencyExact(row, op) : undefined;
    } catch {
      ms = undefined; // SE in the architecture, none in the table
    }
    return op.op === 'skip'
      ? { index, op: 'skip', skip: true, se: false, ...(ms !== undefined ? { ms } : {}) }
      : { index, op: name.trim(), skip: false, kernel: op.kernel, expansion: op.expansion, se: op.se, ...(ms !== undefined ? { ms } : {}) };
  });
}

function trialRow(t: TrialRecord, now: number): TrialRow {
  const r = t.result;
  return {
    trialId: t.trialId,
    ...(t.configId !== undefined ? { configId: t.configId } : {}),
    ...(t.budget !== undefined ? { budget: t.budget } : {}),
    state: t.state,
    params: t.params,
    ...(r
      ? {
          architecture: r.architecture,
          predictedMs: r.predictedMs,
          ...(r.measuredMs !== undefined ? { measuredMs: r.measuredMs } : {}),
          ...(r.measuredIntervalMs ? { measuredIntervalMs: r.measuredIntervalMs } : {}),
          top1: r.top1,
          ...top1Fields(r.top1, r.images),
          supernetTop1: r.supernetTop1,
          ...supernetFields(r.supernetTop1, r.supernetImages),
          seconds: r.seconds.search + r.seconds.retrain + r.seconds.evaluate,
        }
      : {}),
    wallSeconds: Math.max(0, ((t.endedAt ?? now) - t.startedAt) / 1000),
    ...(t.failure ? { failure: t.failure } : {}),
  };
}

function testFields(f: FinalModel): Pick<FinalModel, 'testImages' | 'testInterval'> {
  const t = f.testTop1 !== undefined ? top1Fields(f.testTop1, f.testImages) : {};
  return t.interval ? { testImages: t.images!, testInterval: t.interval } : {};
}

function supernetFields(top1: number, images: number | undefined): Pick<TrialRow, 'supernetImages' | 'supernetInterval'> {
  const f = top1Fields(top1, images);
  return f.interval ? { supernetImages: f.images!, supernetInterval: f.interval } : {};
}

/** Best top-1 after each finished trial, in the order trials ended. */
function bestSoFar(trials: TrialRecord[], targetMs: number): ReportView['convergence']['bestSoFar'] {
  const done = trials.filter((t) => t.state !== 'running').sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0) || a.trialId - b.trialId);
  let best: number | undefined;
  let within: number | undefined;
  return done.map((t, i) => {
    if (t.state === 'ok' && t.result) {
      best = Math.max(best ?? -Infinity, t.result.top1);
      if ((t.latencyMs ?? t.result.predictedMs) <= targetMs) within = Math.max(within ?? -Infinity, t.result.top1);
    }
    return {
      finished: i + 1,
      trialId: t.trialId,
      ...(best !== undefined ? { top1: best } : {}),
      ...(within !== undefined ? { top1WithinTarget: within } : {}),
    };
  });
}

export function buildReportView(input: ReportInput): ReportView {
  const s = input.summary;
  const warnings = [...(input.warnings ?? [])];
  const table = input.table;
  const onFront = new Set(s.front.map((m) => m.trialId));
  const objective = specField(s.spec, 'objectives', 'latency') === 'predicted' ? 'predicted' : 'measured';

  const points: FrontPoint[] = [];
  for (const t of s.trialRecords) {
    if (t.state !== 'ok' || !t.result) continue;
    const p: FrontPoint = {
      trialId: t.trialId,
      top1: t.result.top1,
      ...top1Fields(t.result.top1, t.result.images),
      latencyMs: t.latencyMs ?? t.result.measuredMs ?? t.result.predictedMs,
      onFront: onFront.has(t.trialId),
      architecture: t.result.architecture,
      params: t.params,
    };
    if (typeof t.params.lambda === 'number') p.lambda = t.params.lambda;
    points.push(p);
  }

  if (table && s.front.some((m) => m.architecture.split(',').length !== table.layers.length)) {
    warnings.push(`the latency table ${s.table.uri} has ${table.layers.length} rows, which does not fit the front's architectures: no per-layer latencies`);
  }
  // the selected model leads the architectures even when a tie the front broke by latency kept it off the front
  const shown = s.selected && !onFront.has(s.selected.trialId) ? [...s.front, s.selected] : s.front;
  const front: FrontMemberView[] = [...shown]
    .sort((a, b) => a.latencyMs - b.latencyMs || a.trialId - b.trialId)
    .map((m) => {
      const layers = layersOf(m.architecture, table);
      const known = layers.every((l) => l.ms !== undefined);
      return {
        trialId: m.trialId,
        top1: m.top1,
        ...top1Fields(m.top1, m.images),
        latencyMs: m.latencyMs,
        ...(m.lambda !== undefined ? { lambda: m.lambda } : {}),
        architecture: m.architecture,
        selected: s.selected?.trialId === m.trialId,
        ...(onFront.has(m.trialId) ? {} : { offFront: true }),
        ...(m.ties?.length ? { ties: m.ties } : {}),
        layers,
        ...(table && known ? { fixedMs: table.fixedMs, predictedMs: layers.reduce((sum, l) => sum + (l.ms ?? 0), table.fixedMs) } : {}),
      };
    });

  // one curve per distinct trace (promotions of a configuration continue the same search)
  const curves: SearchCurve[] = [];
  const byTrace = new Map<string, number[]>();
  for (const t of s.trialRecords) {
    if (!t.result?.trace) continue;
    const ids = byTrace.get(t.result.trace) ?? [];
    ids.push(t.trialId);
    byTrace.set(t.result.trace, ids);
  }
  for (const [uri, trialIds] of byTrace) {
    const trace = input.traces.get(uri);
    if (!trace) continue;
    if ('error' in trace) {
      warnings.push(`search trace of trial ${trialIds.join(', ')}: ${trace.error}`);
      continue;
    }
    const lambda = s.trialRecords.find((t) => t.trialId === trialIds[0])?.params.lambda;
    curves.push(searchCurve(trace, trialIds, typeof lambda === 'number' ? lambda : undefined));
  }

  const phases = PHASES.map((phase) => ({ phase, seconds: s.compute[phase] ?? 0 }));
  const paramNames = [...new Set(s.trialRecords.flatMap((t) => Object.keys(t.params)))].sort();
  const device = table?.device;
  return {
    version: REPORT_VIEW_VERSION,
    study: {
      name: s.study,
      state: s.state,
      running: s.state === 'running' || s.state === 'stopping' || s.state === 'final',
      storage: s.storage,
      space: typeof s.spec === 'object' && typeof specField(s.spec, 'space') === 'string' ? (specField(s.spec, 'space') as string) : 'custom',
      sampler: String(specField(s.spec, 'hpo', 'sampler') ?? '-'),
      startedAt: s.startedAt,
      ...(s.endedAt !== undefined ? { endedAt: s.endedAt } : {}),
      now: s.now,
      trials: s.trials,
      parallelism: s.parallelism,
    },
    latency: { objective, targetMs: s.table.targetMs, largestMs: s.table.largestMs, tableUri: s.table.uri, ...(device ? { device } : {}) },
    points,
    front,
    ...(s.selected ? { selectedTrialId: s.selected.trialId } : {}),
    ...(s.selected && s.selection ? { selection: s.selection } : {}),
    paramNames,
    trials: s.trialRecords.map((t) => trialRow(t, s.now)),
    curves,
    convergence: { bestSoFar: bestSoFar(s.trialRecords, s.table.targetMs), hypervolume: s.hypervolume },
    cost: { phases, totalSeconds: phases.reduce((a, p) => a + p.seconds, 0), savedByWarmup: s.compute.savedByWarmup ?? 0 },
    final: (s.final ?? []).map((f) => ({ ...f, ...top1Fields(f.top1, f.images), ...testFields(f) })),
    ...tableFitView(s),
    ...(input.overlay ? { overlay: input.overlay } : {}),
    warnings,
  };
}
