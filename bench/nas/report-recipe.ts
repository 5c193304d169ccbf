/**
 * Table and figure of bench/nas/recipe.ts results: held-out top-1 after every epoch against wall time,
 * per tag (recipe and budget) and seed, and the seed-to-seed spread of the final top-1.
 *
 *   node --import tsx bench/nas/report-recipe.ts [bench/nas/results/recipe.jsonl] [--tag fast-e4]
 */
import { readJsonl, reportArgs } from './common';
import { PALETTE, renderFigure, writeFigure, type Panel } from './svg-chart';

interface Epoch {
  epoch: number;
  top1: number;
  wallSeconds: number;
  cpuSeconds: number;
  loadavg: number;
}
interface Rec {
  tag: string;
  recipe: string;
  architecture: string;
  seed: number;
  top1: number;
  epochs: Epoch[];
  trainImages: number;
  valImages: number;
}

const { file, a } = reportArgs(process.argv.slice(2), 'bench/nas/results/recipe.jsonl');
const recs = readJsonl<Rec>(file).filter((r) => !a.tag || r.tag === a.tag);
if (!recs.length) throw new Error(`no recipe results in ${file}${a.tag ? ` with tag '${a.tag}'` : ''}: run bench/nas/recipe.ts first`);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const min = (s: number) => (s / 60).toFixed(1);

const lines = [
  '| tag | architecture | seed | train / held-out images | held-out top-1 by epoch | wall min | CPU min | load avg |',
  '|---|---|---|---|---|---|---|---|',
];
for (const r of recs) {
  const last = r.epochs[r.epochs.length - 1]!;
  const load = r.epochs.map((e) => e.loadavg);
  lines.push(
    `| ${r.tag} | \`${r.architecture}\` | ${r.seed} | ${r.trainImages} / ${r.valImages} | ${r.epochs.map((e) => pct(e.top1)).join(', ')} | ` +
      `${min(last.wallSeconds)} | ${min(last.cpuSeconds)} | ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)} |`,
  );
}
lines.push('');
for (const tag of [...new Set(recs.map((r) => r.tag))]) {
  const rs = recs.filter((r) => r.tag === tag);
  const t = rs.map((r) => r.top1);
  const mean = t.reduce((x, y) => x + y, 0) / t.length;
  const spread = Math.max(...t) - Math.min(...t);
  lines.push(
    `${tag}: final held-out top-1 ${pct(mean)} mean over ${rs.length} seed${rs.length > 1 ? 's' : ''}` +
      (rs.length > 1 ? `, spread (max - min) ${(100 * spread).toFixed(1)} pp` : '') +
      `; ${rs.filter((r) => r.top1 >= 0.7).length} of ${rs.length} reach 70%.`,
  );
}
console.log(lines.join('\n'));

const tags = [...new Set(recs.map((r) => r.tag))];
const panel: Panel = {
  title: 'Retraining recipe: held-out top-1 vs wall time',
  xLabel: 'wall minutes',
  yLabel: 'held-out top-1',
  yRange: [0, 1],
  xRange: [0, Math.ceil(Math.max(...recs.flatMap((r) => r.epochs.map((e) => e.wallSeconds / 60))) / 5) * 5],
  hlines: [{ y: 0.7, color: '#f4a4a4', label: '70%' }],
  series: recs.map((r) => ({
    label: `${r.tag} seed ${r.seed}`,
    color: PALETTE[tags.indexOf(r.tag) % PALETTE.length]!,
    kind: 'line' as const,
    points: [[0, 0.1] as [number, number], ...r.epochs.map((e) => [e.wallSeconds / 60, e.top1] as [number, number])],
  })),
};
const base = file.replace(/\.jsonl$/, a.tag ? `-${a.tag}` : '');
console.log(`wrote ${writeFigure(base, renderFigure([panel], 1, 560, 320)).join(', ')}`);
