/**
 * Table and figure of bench/nas/searched-vs-random.ts results: per latency target, the searched network
 * against the random networks of the same predicted latency (+-5%), each retrained with the same
 * recipe, budget and seeds, scored on the held-out split. Per target, only the seeds every candidate
 * was retrained with are compared, so a partial run never compares unequal seed sets.
 *
 *   node --import tsx bench/nas/report-searched-vs-random.ts [bench/nas/results/searched-vs-random.jsonl]
 */
import { readJsonl, reportArgs } from './common';
import type { SearchRecord, TrainRecord } from './searched-vs-random';
import { PALETTE, renderFigure, writeFigure, type Panel } from './svg-chart';

const { file } = reportArgs(process.argv.slice(2), 'bench/nas/results/searched-vs-random.jsonl');
const recs = readJsonl<SearchRecord | TrainRecord>(file);
const searches = recs.filter((r): r is SearchRecord => r.type === 'search' && !r.superseded);
const trains = recs.filter((r): r is TrainRecord => r.type === 'train');

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

/** The target's candidates with the seeds all of them were retrained with (top1 in the order of `seeds`). */
function candidates(frac: number): { seeds: number[]; cs: Candidate[] } {
  const rs = trains.filter((t) => t.frac === frac);
  const archs = [...new Set(rs.map((r) => r.architecture))];
  const seeds = [...new Set(rs.map((r) => r.seed))]
    .filter((seed) => archs.every((a) => rs.some((r) => r.architecture === a && r.seed === seed)))
    .sort((a, b) => a - b);
  const cs = archs.map((a) => {
    const first = rs.find((r) => r.architecture === a)!;
    return {
      frac,
      kind: first.kind,
      architecture: a,
      predictedMs: first.predictedMs,
      top1: seeds.map((seed) => rs.find((r) => r.architecture === a && r.seed === seed)!.top1),
    };
  });
  return { seeds, cs };
}

const lines = ['| target | network | predicted ms | held-out top-1, % (mean +- sd over seeds) | per seed |', '|---|---|---|---|---|'];
const summary: string[] = [];
const panels: Panel[] = [];
for (const s of searches) {
  const { seeds, cs } = candidates(s.frac);
  if (!seeds.length) continue;
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
    `target ${label} (seeds ${seeds.join(', ')}; search${s.searchConfig ? ` with ${JSON.stringify(s.searchConfig)}` : ''}: landed at ${s.predictedMs.toFixed(2)} ms, supernet ${pct(s.supernetTop1)}% held-out top-1${s.searchImages ? ` after ${s.searchImages} images` : ''}): searched ${pct(mean(searched.top1))}% vs random ${pct(mean(pooled))}% (sd of the random networks' means ${pct(sd(randomMeans))}); ` +
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
