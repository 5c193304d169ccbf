/**
 * Table and figure of bench/nas/target-hit.ts results: the derived network's predicted latency relative
 * to its target, per space, table, runtime loss and target fraction.
 *
 *   node --import tsx bench/nas/report-target-hit.ts [bench/nas/results/target-hit.jsonl] [--tag v3]
 */
import { flipsPerUpdate, type NormsAndThresholds } from '../../src/nas/flip-limit';
import { readJsonl, reportArgs } from './common';
import { PALETTE, renderFigure, writeFigure, type Panel } from './svg-chart';

interface Rec {
  tag: string;
  space: string;
  table: string;
  loss: string;
  frac: number;
  seed: number;
  targetMs: number;
  predictedMs: number;
  ratio: number;
  architecture: string;
  lambda: number;
}

const { file, a } = reportArgs(process.argv.slice(2), 'bench/nas/results/target-hit.jsonl');

/** The search's trace as written by target-hit.ts (empty when it is missing). */
function traceSteps(r: Rec): NormsAndThresholds[] {
  const f = `${file.replace(/\.jsonl$/, '')}-traces/${r.tag}-${r.space}-${r.table}-${r.loss}-${r.frac}-s${r.seed}.jsonl`;
  return readJsonl<NormsAndThresholds & { type: string }>(f).filter((x) => x.type === 'step');
}

/** Most decisions one update flipped, and in parentheses the updates that flipped more than one. */
function flipsCell(steps: NormsAndThresholds[]): string {
  if (steps.length < 2) return 'n/a';
  const flips = flipsPerUpdate(steps);
  return `${Math.max(...flips)} (${flips.filter((n) => n > 1).length})`;
}
const recs = readJsonl<Rec>(file).filter((r) => !a.tag || r.tag === a.tag);
const groups = [...new Set(recs.map((r) => `${r.space} / ${r.table}`))];
const fracs = [...new Set(recs.map((r) => r.frac))].sort();
const losses = [...new Set(recs.map((r) => r.loss))].sort();
const lines = [
  `| space / table | ${losses.flatMap((l) => fracs.map((f) => `${l} ${Math.round(100 * f)}%`)).join(' | ')} |`,
  `|---|${losses.flatMap(() => fracs.map(() => '---')).join('|')}|`,
];
for (const g of groups) {
  const cells = losses.flatMap((l) =>
    fracs.map((f) => {
      const rs = recs.filter((r) => `${r.space} / ${r.table}` === g && r.loss === l && r.frac === f);
      return rs.length ? rs.map((r) => `${r.predictedMs.toFixed(1)} (${r.ratio >= 1 ? '+' : ''}${(100 * (r.ratio - 1)).toFixed(0)}%)`).join(', ') : '-';
    }),
  );
  lines.push(`| ${g} | ${cells.join(' | ')} |`);
}
const within = recs.filter((r) => Math.abs(r.ratio - 1) <= 0.1).length;
lines.push('', `${within} of ${recs.length} searches within +-10% of the target (predicted ms (deviation) per cell).`);
// The mechanism behind misses: how many decisions one threshold update flipped (from each search's trace).
lines.push('', 'Most decisions flipped by one threshold update (updates that flipped more than one):', '', lines[0]!, lines[1]!);
for (const g of groups) {
  const cells = losses.flatMap((l) =>
    fracs.map((f) => {
      const rs = recs.filter((r) => `${r.space} / ${r.table}` === g && r.loss === l && r.frac === f);
      return rs.length ? rs.map((r) => flipsCell(traceSteps(r))).join(', ') : '-';
    }),
  );
  lines.push(`| ${g} | ${cells.join(' | ')} |`);
}
console.log(lines.join('\n'));

const panels: Panel[] = groups.map((g) => ({
  title: g,
  xLabel: 'target (fraction of the largest network)',
  yLabel: 'predicted / target',
  yRange: [0.6, 1.4],
  xRange: [0.4, 1],
  hlines: [
    { y: 1, color: '#999' },
    { y: 1.1, color: '#f4a4a4', label: '+10%' },
    { y: 0.9, color: '#f4a4a4', label: '-10%' },
  ],
  series: losses.map((l, i) => ({
    label: l,
    color: PALETTE[i]!,
    kind: 'points' as const,
    points: recs.filter((r) => `${r.space} / ${r.table}` === g && r.loss === l).map((r) => [r.frac + (i - 0.5) * 0.012, r.ratio] as [number, number]),
  })),
}));
const base = file.replace(/\.jsonl$/, a.tag ? `-${a.tag}` : '');
console.log(`wrote ${writeFigure(base, renderFigure(panels, Math.min(3, panels.length), 380, 260, 'Derived network latency vs target')).join(', ')}`);
