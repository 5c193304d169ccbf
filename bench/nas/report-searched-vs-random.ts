/**
 * Table and figure of bench/nas/searched-vs-random.ts results: per latency target, the searched network
 * against the random networks of the same predicted latency (+-5%), each retrained with the same
 * recipe, budget and seeds, scored on the held-out split. Only candidates retrained with every seed
 * are compared, so a partial run never compares unequal seed sets.
 *
 *   node --import tsx bench/nas/report-searched-vs-random.ts [bench/nas/results/searched-vs-random.jsonl]
 */
import * as path from 'node:path';
import { readJsonl, ROOT } from './common';
import type { SearchRecord, TrainRecord } from './searched-vs-random';
import { PALETTE, renderFigure, writeFigure, type Panel } from './svg-chart';

const file = path.resolve(ROOT, process.argv[2] ?? 'bench/nas/results/searched-vs-random.jsonl');
const recs = readJsonl<SearchRecord | TrainRecord>(file);
const searches = recs.filter((r): r is SearchRecord => r.type === 'search');
const trains = recs.filter((r): r is TrainRecord => r.type === 'train');
const seeds = [...new Set(trains.map((r) => r.seed))].sort((a, b) => a - b);

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: number[]) => (xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1)) : 0);
const pct = (x: number) => (100 * x).toFixed(1);

interface Candidate {
  frac: number;
  kind: 'searched' | 'random';
  architecture: string;
  predictedMs: number;
  top1: number[];
}

function candidates(frac: number): Candidate[] {
  const byArch = new Map<string, Candidate>();
  for (const r of trains.filter((t) => t.frac === frac)) {
    const c = byArch.get(r.architecture) ?? { frac, kind: r.kind, architecture: r.architecture, predictedMs: r.predictedMs, top1: [] };
    c.top1[seeds.indexOf(r.seed)] = r.top1;
    byArch.set(r.architecture, c);
  }
  return [...byArch.values()].filter((c) => seeds.every((_, i) => c.top1[i] !== undefined));
}

const lines = [`| target | network | predicted ms | held-out top-1, % (mean +- sd over seeds ${seeds.join(', ')}) | per seed |`, '|---|---|---|---|---|'];
const summary: string[] = [];
const panels: Panel[] = [];
for (const s of searches) {
  const cs = candidates(s.frac);
  const searched = cs.find((c) => c.kind === 'searched');
  const randoms = cs.filter((c) => c.kind === 'random');
  if (!searched || !randoms.length) continue;
  const label = `${Math.round(100 * s.frac)}% (${s.targetMs.toFixed(1)} ms)`;
  for (const c of [searched, ...randoms])
    lines.push(
      `| ${label} | ${c.kind === 'searched' ? '**searched**' : 'random'} \`${c.architecture}\` | ${c.predictedMs.toFixed(2)} | ${pct(mean(c.top1))} +- ${pct(sd(c.top1))} | ${c.top1.map(pct).join(', ')} |`,
    );
  const pooled = randoms.flatMap((c) => c.top1);
  const randomMeans = randoms.map((c) => mean(c.top1));
  const rank = 1 + randomMeans.filter((m) => m > mean(searched.top1)).length;
  // per seed: searched minus the mean of the random networks with that seed (paired: same data order and init stream)
  const paired = seeds.map((_, i) => searched.top1[i]! - mean(randoms.map((c) => c.top1[i]!)));
  summary.push(
    `target ${label}: searched ${pct(mean(searched.top1))}% vs random ${pct(mean(pooled))}% (sd of the random networks' means ${pct(sd(randomMeans))}); ` +
      `searched minus random, paired by seed: ${pct(mean(paired))} +- ${pct(sd(paired))} pp; the searched network ranks ${rank} of ${randoms.length + 1}`,
  );
  const xs = cs.map((c) => c.predictedMs);
  const pad = 0.15 * (Math.max(...xs) - Math.min(...xs)) + 0.05;
  panels.push({
    title: `target ${label}`,
    xRange: [Math.min(...xs) - pad, Math.max(...xs) + pad],
    xLabel: 'predicted latency (ms)',
    yLabel: 'held-out top-1 (%)',
    series: [
      {
        label: 'random',
        color: PALETTE[0]!,
        kind: 'points',
        points: randoms.map((c) => [c.predictedMs, 100 * mean(c.top1)] as [number, number]),
        errors: randoms.map((c) => [100 * Math.min(...c.top1), 100 * Math.max(...c.top1)] as [number, number]),
      },
      {
        label: 'searched',
        color: PALETTE[3]!,
        kind: 'points',
        points: [[searched.predictedMs, 100 * mean(searched.top1)]],
        errors: [[100 * Math.min(...searched.top1), 100 * Math.max(...searched.top1)]],
      },
    ],
  });
}
console.log(lines.join('\n'));
console.log('');
console.log(summary.join('\n'));
if (panels.length) {
  const base = file.replace(/\.jsonl$/, '');
  console.log(`wrote ${writeFigure(base, renderFigure(panels, panels.length, 460, 300, 'Searched vs random at equal latency')).join(', ')}`);
}
