/**
 * Table and figure of bench/nas/searched-vs-random.ts results: per latency target, the searched
 * network(s) (one per search seed) against the random networks of the same predicted latency (+-5%),
 * each retrained with the same recipe, budget and seeds, scored on the held-out split. Per target,
 * only the seeds every candidate was retrained with are compared, so a partial run never compares
 * unequal seed sets. Intervals: per network, the 95% t interval of its mean over the retraining seeds;
 * searched minus random, paired by retraining seed (same data order and initial weights), with the
 * 95% t interval over those seeds; with several search seeds also per search seed (the search's own
 * variance), with the t interval over search seeds. With fewer than 3 retraining seeds a network's
 * interval is the Wilson interval of its mean score on the held-out images, and searched against random is Fisher's
 * exact permutation test of the difference in means (one value per search seed against one per random
 * network): no distributional assumption, and exact at these group sizes.
 *
 *   node --import tsx bench/nas/report-searched-vs-random.ts [bench/nas/results/searched-vs-random.jsonl]
 */
import { wilsonInterval } from '../../src/stats/binomial';
import { permutationTestMeans } from '../../src/stats/permutation';
import { tInterval } from '../../src/stats/student-t';
import { readJsonl, reportArgs } from './common';
import type { SearchRecord, TrainRecord } from './searched-vs-random';
import { PALETTE, renderFigure, writeFigure, type Panel } from './svg-chart';

const { file } = reportArgs(process.argv.slice(2), 'bench/nas/results/searched-vs-random.jsonl');
const recs = readJsonl<SearchRecord | TrainRecord>(file);
const searches = recs.filter((r): r is SearchRecord => r.type === 'search' && !r.superseded);
const trains = recs.filter((r): r is TrainRecord => r.type === 'train');

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const pct = (x: number) => (100 * x).toFixed(1);
/** mean [low, high] in percent, the t interval when there are 2+ values. */
const withCi = (xs: number[]) => {
  if (xs.length < 2) return `${pct(mean(xs))}`;
  const t = tInterval(xs);
  return `${pct(t.mean)} [${pct(t.low)}, ${pct(t.high)}]`;
};

interface Candidate {
  frac: number;
  kind: 'searched' | 'random';
  architecture: string;
  predictedMs: number;
  searchSeeds: number[];
  top1: number[];
  /** Held-out images scored and correct ones, per retraining seed (absent in old records). */
  count: Array<number | undefined>;
  correct: Array<number | undefined>;
}

/**
 * The Wilson interval of a network's mean score on its held-out images (binomial sampling of those
 * images only; every seed scores the same images, so they count once), when the counts are recorded:
 * with one or two retraining seeds a t interval over seeds is undefined or uninformative (df 1).
 */
function imagesWilson(c: Candidate): { low: number; high: number; n: number } | undefined {
  const n = c.count[0];
  if (n === undefined || c.count.some((k) => k !== n)) return undefined;
  const w = wilsonInterval(Math.round(mean(c.top1) * n), n);
  return { low: w.low, high: w.high, n };
}

/** Wilson on the held-out images when there are fewer than 3 retraining seeds (and counts), else none. */
const fewSeedsWilson = (c: Candidate) => (c.top1.length < 3 ? imagesWilson(c) : undefined);

/** A network's score with its interval: t over 3+ retraining seeds, else Wilson on its held-out images. */
function scoreWithCi(c: Candidate): string {
  const w = fewSeedsWilson(c);
  if (w) return `${pct(mean(c.top1))} [${pct(w.low)}, ${pct(w.high)}] on ${w.n}`;
  return withCi(c.top1);
}

/** The target's candidates with the seeds all of them were retrained with (top1 in the order of `seeds`). */
function candidates(frac: number, searchSeedsOf: Map<string, number[]>): { seeds: number[]; cs: Candidate[] } {
  const rs = trains.filter((t) => t.frac === frac);
  const archs = [...new Set(rs.map((r) => r.architecture))];
  const seeds = [...new Set(rs.map((r) => r.seed))]
    .filter((seed) => archs.every((a) => rs.some((r) => r.architecture === a && r.seed === seed)))
    .sort((a, b) => a - b);
  const cs = archs.map((a) => {
    const first = rs.find((r) => r.architecture === a)!;
    const runs = seeds.map((seed) => rs.find((r) => r.architecture === a && r.seed === seed)!);
    return {
      frac,
      kind: first.kind,
      architecture: a,
      predictedMs: first.predictedMs,
      searchSeeds: searchSeedsOf.get(a) ?? [],
      top1: runs.map((r) => r.top1),
      count: runs.map((r) => r.count),
      correct: runs.map((r) => r.correct),
    };
  });
  return { seeds, cs };
}

const lines = [
  '| target | network | search seeds | predicted ms | held-out top-1, % (mean [95% t interval] over 3+ seeds; fewer: mean [95% Wilson] on the n held-out images) | per seed |',
  '|---|---|---|---|---|---|',
];
const summary: string[] = [];
const panels: Panel[] = [];
for (const frac of [...new Set(searches.map((s) => s.frac))].sort()) {
  const ss = searches.filter((s) => s.frac === frac);
  const searchSeedsOf = new Map<string, number[]>();
  for (const s of ss) searchSeedsOf.set(s.architecture, [...(searchSeedsOf.get(s.architecture) ?? []), s.searchSeed ?? 0]);
  const { seeds, cs } = candidates(frac, searchSeedsOf);
  if (!seeds.length) continue;
  const searched = cs.filter((c) => c.kind === 'searched');
  const randoms = cs.filter((c) => c.kind === 'random');
  if (!searched.length || !randoms.length) continue;
  const label = `${Math.round(100 * frac)}% (${ss[0]!.targetMs.toFixed(1)} ms)`;
  for (const c of [...searched, ...randoms])
    lines.push(
      `| ${label} | ${c.kind === 'searched' ? '**searched**' : 'random'} \`${c.architecture}\` | ${c.kind === 'searched' ? c.searchSeeds.join(', ') : '-'} | ${c.predictedMs.toFixed(2)} | ${scoreWithCi(c)} | ${c.top1.map(pct).join(', ')} |`,
    );
  // a search seed counts once: a network found by two search seeds weighs twice
  const searchRuns = ss.flatMap((s) => searched.filter((c) => c.architecture === s.architecture));
  const randomAt = (i: number) => mean(randoms.map((c) => c.top1[i]!));
  const searchedAt = (i: number) => mean(searchRuns.map((c) => c.top1[i]!));
  const paired = seeds.map((_, i) => searchedAt(i) - randomAt(i));
  const randomMeans = randoms.map((c) => mean(c.top1));
  const searchedMean = mean(searchRuns.map((c) => mean(c.top1)));
  const rank = 1 + randomMeans.filter((m) => m > searchedMean).length;
  const bySearch = searchRuns.length > 1 ? searchRuns.map((c) => mean(c.top1) - mean(randomMeans)) : [];
  const perm = permutationTestMeans(
    searchRuns.map((c) => mean(c.top1)),
    randomMeans,
  );
  // search runs that found the same network share one retraining: counted once each, the conservative test
  const distinct = permutationTestMeans(
    searched.map((c) => mean(c.top1)),
    randomMeans,
  );
  const settings = ss.find((s) => s.searchConfig)?.searchConfig;
  summary.push(
    `target ${label} (retraining seeds ${seeds.join(', ')}; ${ss.length} search seed(s)${settings ? ` with ${JSON.stringify(settings)}` : ''}: landed at ${ss.map((s) => s.predictedMs.toFixed(2)).join(', ')} ms, supernet ${ss.map((s) => pct(s.supernetTop1)).join(', ')}% held-out top-1${ss[0]!.searchImages ? ` after ${ss[0]!.searchImages} images` : ''}): ` +
      `searched ${pct(searchedMean)}% vs ${randoms.length} random networks ${pct(mean(randomMeans))}%; searched minus random, paired by retraining seed: ${withCi(paired)} pp` +
      (bySearch.length ? `; by search seed: ${withCi(bySearch)} pp (${bySearch.map((d) => `${d >= 0 ? '+' : ''}${pct(d)}`).join(', ')})` : '') +
      `; exact permutation test, ${searchRuns.length} search run(s) against ${randoms.length} random networks: p = ${perm.p.toFixed(3)} (two-sided, ${perm.splits} splits)` +
      (searched.length < searchRuns.length
        ? `; the runs found ${searched.length} distinct network(s), each counted once: p = ${distinct.p.toFixed(3)} (${distinct.splits} splits)`
        : '') +
      `; the searched network${searchRuns.length > 1 ? 's (their mean)' : ''} ranks ${rank} of ${randoms.length + 1}`,
  );
  const xs = cs.map((c) => c.predictedMs);
  const pad = 0.15 * (Math.max(...xs) - Math.min(...xs)) + 0.05;
  const ci = (c: Candidate): [number, number] => {
    const w = fewSeedsWilson(c);
    if (w) return [100 * w.low, 100 * w.high];
    if (c.top1.length < 2) return [100 * c.top1[0]!, 100 * c.top1[0]!];
    const t = tInterval(c.top1);
    return [100 * t.low, 100 * t.high];
  };
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
        errors: randoms.map(ci),
      },
      {
        label: 'searched',
        color: PALETTE[3]!,
        kind: 'points',
        points: searched.map((c) => [c.predictedMs, 100 * mean(c.top1)] as [number, number]),
        errors: searched.map(ci),
      },
    ],
  });
}
console.log(lines.join('\n'));
console.log('');
console.log(summary.map((s) => `- ${s}`).join('\n'));
if (panels.length) {
  const base = file.replace(/\.jsonl$/, '');
  console.log(
    `wrote ${writeFigure(base, renderFigure(panels, Math.min(3, panels.length), 460, 300, `Searched vs random at equal latency (bars: 95% ${new Set(trains.map((t) => t.seed)).size >= 3 ? 't interval over seeds' : 'Wilson interval on the held-out images'})`)).join(', ')}`,
  );
}
