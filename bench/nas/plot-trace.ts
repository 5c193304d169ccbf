/**
 * Plots a search trace of bench/nas/search-trace.ts: R against the target, and per decision kind
 * (skip, expansion, kernel, SE) every layer's relative group norm and threshold over the steps.
 *
 *   node --import tsx bench/nas/plot-trace.ts <trace.jsonl> [<out base, default: beside the trace>]
 */
import * as path from 'node:path';
import type { SearchTraceRecord } from '../../src/nas/search';
import { readJsonl } from './common';
import { PALETTE, renderFigure, writeFigure, type Panel } from './svg-chart';

type Rec =
  | ({ type: 'step' } & SearchTraceRecord)
  | { type: 'summary'; name: string; targetMs?: number; largestMs: number; architecture: string; predictedMs: number; config: { warmupEpochs: number } };

const file = process.argv[2];
if (!file) throw new Error('usage: plot-trace.ts <trace.jsonl> [out base]');
const recs = readJsonl<Rec>(file);
const steps = recs.filter((r): r is Extract<Rec, { type: 'step' }> => r.type === 'step');
const summary = recs.find((r): r is Extract<Rec, { type: 'summary' }> => r.type === 'summary');
const warmEnd = steps.find((s) => s.lambda > 0)?.step;
const vlines = warmEnd !== undefined ? [{ x: warmEnd, color: '#999', label: 'runtime term on' }] : [];
const L = steps[0]!.norms.length;
const KINDS = [
  ['d50c', 'skip (lower channel half)'],
  ['d100c', 'expansion (upper half)'],
  ['d5x5', 'kernel (5x5 ring)'],
  ['dse', 'SE'],
] as const;

const panels: Panel[] = [
  {
    title: `R over steps${summary ? `: ${summary.architecture}` : ''}`.slice(0, 90),
    xLabel: 'step',
    yLabel: 'R (ms)',
    vlines,
    series: [{ color: '#000', points: steps.map((s) => [s.step, s.runtimeMs]) }],
    hlines: [
      ...(summary?.targetMs
        ? [
            { y: summary.targetMs, color: '#d62728', label: `target ${summary.targetMs.toFixed(1)}` },
            { y: 1.1 * summary.targetMs, color: '#f4a4a4' },
            { y: 0.9 * summary.targetMs, color: '#f4a4a4' },
          ]
        : []),
      ...(summary ? [{ y: summary.largestMs, color: '#999', label: 'largest' }] : []),
    ],
  },
  { title: 'cross-entropy', xLabel: 'step', yLabel: 'CE', vlines, series: [{ color: '#1f77b4', points: steps.map((s) => [s.step, s.ce]) }] },
];
for (const [key, label] of KINDS) {
  const layers = Array.from({ length: L }, (_, i) => i).filter((i) => steps[0]!.thresholds[i]![key] !== undefined);
  if (!layers.length) continue;
  panels.push({
    title: `${label}: relative group norm`,
    xLabel: 'step',
    yLabel: '||W_g|| / ||W_g at init||',
    vlines,
    series: layers.map((i) => ({
      color: PALETTE[i % PALETTE.length]!,
      label: `layer ${i + 1}`,
      points: steps.map((s) => [s.step, s.norms[i]![key]] as [number, number]),
    })),
  });
  panels.push({
    title: `${label}: threshold`,
    xLabel: 'step',
    yLabel: 'threshold',
    vlines,
    series: layers.map((i) => ({
      color: PALETTE[i % PALETTE.length]!,
      label: `layer ${i + 1}`,
      points: steps.map((s) => [s.step, s.thresholds[i]![key]!] as [number, number]),
    })),
  });
}
const base = process.argv[3] ?? file.replace(/\.jsonl(\.gz)?$/, '');
const written = writeFigure(
  base,
  renderFigure(
    panels,
    2,
    480,
    270,
    summary
      ? `${summary.name}: ${summary.predictedMs.toFixed(1)} ms predicted${summary.targetMs ? ` (target ${summary.targetMs.toFixed(1)})` : ''}`
      : path.basename(file),
  ),
);
console.log(`wrote ${written.join(', ')}`);
