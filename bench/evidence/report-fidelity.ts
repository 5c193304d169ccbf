/**
 * Fidelity (issue 22, point 3; the paper's RQ4): how well does a trial budget rank networks the way the
 * final budget does? For every network of the fidelity set with a final-budget score (test split), its
 * trial-budget scores (selection split, seeds 0, 1, ...): Kendall's tau-b and Spearman's rho between
 * each trial budget and the final budget, and between two seeds at one trial budget, with percentile
 * bootstrap 95% intervals over the networks (src/stats/rank.ts); the cost of each budget (CPU seconds
 * of one retraining, median). Writes results/fidelity.json and fidelity.svg/png, prints the table.
 *
 *   node --import tsx bench/evidence/report-fidelity.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kendallWithInterval, rescoringCeiling, spearmanWithInterval, type BootstrapInterval, type RescoringCeiling } from '../../src/stats/rank';
import { permutationTestMeans, type PermutationTest } from '../../src/stats/permutation';
import { PALETTE, renderFigure, writeFigure, type Panel } from '../nas/svg-chart';
import { randomMembers } from './scores';
import { predictedMs } from './latency-model';
import { RESULTS, TRIAL_BUDGETS, type TrialBudget } from './problem';
import { readAll, trains, type TrainRecord } from './records';

const pct = (x: number) => (100 * x).toFixed(1);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};
/** A run's cost counts only when it ran whole: a run resumed from a checkpoint recorded only its remainder. */
const whole = (t: TrainRecord) => !t.resumedFromStep;
const ci = (b: BootstrapInterval) => `${b.estimate.toFixed(2)} [${b.low.toFixed(2)}, ${b.high.toFixed(2)}]`;

export interface FidelityRow {
  budget: TrialBudget;
  description: string;
  /** Networks with this budget's score (seed 0) and a final score. */
  n: number;
  tauFinal?: BootstrapInterval;
  /** The same among the searched networks only: the networks a study chooses between. */
  nSearched: number;
  tauFinalSearched?: BootstrapInterval;
  rhoFinal?: BootstrapInterval;
  /** Against the mean over the seeds every network has at this budget. */
  seedsInMean: number;
  tauFinalMean?: BootstrapInterval;
  /** Seed 0 against seed 1 at this budget (its own noise). */
  nSeeds: number;
  tauSeeds?: BootstrapInterval;
  rhoSeeds?: BootstrapInterval;
  /** Median |seed 0 - seed 1| top-1, and the binomial half-width of one score. */
  medianSeedGap?: number;
  cpuSecondsMedian: number;
  wallSecondsMedian: number;
}

export function fidelityRows(all: TrainRecord[], randoms: ReadonlySet<string>): { rows: FidelityRow[]; finals: Map<string, TrainRecord> } {
  const full = all.filter((t) => t.fidelity === 1);
  const finals = new Map(full.filter((t) => t.budget === 'final' && t.seed === 0).map((t) => [t.architecture, t]));
  const score = (arch: string, budget: string, seed: number) => full.find((t) => t.architecture === arch && t.budget === budget && t.seed === seed)?.top1;
  const rows: FidelityRow[] = [];
  for (const budget of Object.keys(TRIAL_BUDGETS) as TrialBudget[]) {
    const mine = full.filter((t) => t.budget === budget);
    if (!mine.length) continue;
    const withFinal = [...finals.keys()].filter((a) => score(a, budget, 0) !== undefined);
    const x = withFinal.map((a) => score(a, budget, 0)!);
    const y = withFinal.map((a) => finals.get(a)!.top1);
    const searched = withFinal.flatMap((a, i) => (randoms.has(a) ? [] : [i]));
    const seeds = [...new Set(mine.map((t) => t.seed))].sort();
    const allSeeds = seeds.filter((s) => withFinal.every((a) => score(a, budget, s) !== undefined));
    const means = withFinal.map((a) => allSeeds.reduce((s, seed) => s + score(a, budget, seed)!, 0) / allSeeds.length);
    const both = [...new Set(mine.map((t) => t.architecture))].filter((a) => score(a, budget, 0) !== undefined && score(a, budget, 1) !== undefined);
    const s0 = both.map((a) => score(a, budget, 0)!);
    const s1 = both.map((a) => score(a, budget, 1)!);
    const b = TRIAL_BUDGETS[budget];
    rows.push({
      budget,
      description: `${b.epochs} epochs on ${b.images.toLocaleString('en')} images`,
      n: withFinal.length,
      ...(withFinal.length >= 3 ? { tauFinal: kendallWithInterval(x, y, { seed: 1 }), rhoFinal: spearmanWithInterval(x, y, { seed: 1 }) } : {}),
      nSearched: searched.length,
      ...(searched.length >= 3
        ? {
            tauFinalSearched: kendallWithInterval(
              searched.map((i) => x[i]!),
              searched.map((i) => y[i]!),
              { seed: 1 },
            ),
          }
        : {}),
      seedsInMean: allSeeds.length,
      ...(withFinal.length >= 3 && allSeeds.length > 1 ? { tauFinalMean: kendallWithInterval(means, y, { seed: 1 }) } : {}),
      nSeeds: both.length,
      ...(both.length >= 3
        ? {
            tauSeeds: kendallWithInterval(s0, s1, { seed: 1 }),
            rhoSeeds: spearmanWithInterval(s0, s1, { seed: 1 }),
            medianSeedGap: median(both.map((_, i) => Math.abs(s0[i]! - s1[i]!))),
          }
        : {}),
      cpuSecondsMedian: median(mine.filter(whole).map((t) => t.cpuSeconds)),
      wallSecondsMedian: median(mine.filter(whole).map((t) => t.wallSeconds)),
    });
  }
  return { rows, finals };
}

function main(): void {
  // the validation studies' trials (report-validation.ts) are not runs of the fidelity set
  const all = trains(readAll()).filter((t) => !t.study);
  const randoms = new Set(randomMembers());
  const { rows, finals } = fidelityRows(all, randoms);
  const finalRuns = [...finals.values()];
  const lines = [
    '| trial budget | CPU s per network (median) | networks | tau vs final [95% CI] | rho vs final [95% CI] | tau vs final, searched networks only | tau, mean of seeds vs final | networks with 2 seeds | tau seed 0 vs 1 [95% CI] | median seed gap |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.budget}: ${r.description} | ${r.cpuSecondsMedian.toFixed(0)} | ${r.n} | ${r.tauFinal ? ci(r.tauFinal) : '-'} | ${r.rhoFinal ? ci(r.rhoFinal) : '-'} | ${r.tauFinalSearched ? `${ci(r.tauFinalSearched)} (${r.nSearched})` : '-'} | ${r.tauFinalMean ? `${ci(r.tauFinalMean)} (${r.seedsInMean} seeds)` : '-'} | ${r.nSeeds} | ${r.tauSeeds ? ci(r.tauSeeds) : '-'} | ${r.medianSeedGap !== undefined ? `${pct(r.medianSeedGap)} pp` : '-'} |`,
    ),
  ];
  console.log(lines.join('\n'));
  if (finalRuns.length) {
    const top = finalRuns.map((t) => t.top1);
    console.log(
      `\nfinal budget (fast, 3 epochs on 45,000 images, batch 128; test split of ${finalRuns[0]!.count} images, one score +-${pct(1.96 * Math.sqrt(0.25 / finalRuns[0]!.count))} pp at most): ${finalRuns.length} networks, test top-1 ${pct(Math.min(...top))}-${pct(Math.max(...top))}%; ` +
        `per run (${finalRuns.filter(whole).length} not resumed) median ${(median(finalRuns.filter(whole).map((t) => t.wallSeconds)) / 60).toFixed(0)} min wall, ${(median(finalRuns.filter(whole).map((t) => t.cpuSeconds)) / 60).toFixed(0)} min CPU (load average ${Math.min(...finalRuns.map((t) => t.loadavg)).toFixed(1)}-${Math.max(...finalRuns.map((t) => t.loadavg)).toFixed(1)}, ${finalRuns[0]!.threads} intra-op thread(s))`,
    );
  }
  // the most any trial budget could reach: the final scores against a binomial re-scoring of themselves
  let ceiling: RescoringCeiling | undefined;
  if (finalRuns.length >= 3) {
    ceiling = rescoringCeiling(
      finalRuns.map((t) => t.top1),
      finalRuns[0]!.count,
      { seed: 1 },
    );
    console.log(
      `ceiling: the final budget against a re-scoring of itself on ${finalRuns[0]!.count} other test images (binomial sampling only; training-seed variation would lower it): Kendall's tau mean ${ceiling.mean.toFixed(2)}, 95% of redraws in [${ceiling.low.toFixed(2)}, ${ceiling.high.toFixed(2)}]`,
    );
  }
  // the set's searched and random networks at the final budget: does the search find better networks?
  let searchedVsRandom: (PermutationTest & { searched: number; random: number }) | undefined;
  const searchedRuns = finalRuns.filter((t) => !randoms.has(t.architecture));
  const randomRuns = finalRuns.filter((t) => randoms.has(t.architecture));
  if (searchedRuns.length && randomRuns.length) {
    searchedVsRandom = {
      ...permutationTestMeans(
        searchedRuns.map((t) => t.top1),
        randomRuns.map((t) => t.top1),
      ),
      searched: searchedRuns.length,
      random: randomRuns.length,
    };
    const group = (ts: TrainRecord[]) => {
      const ms = ts.map((t) => predictedMs(t.architecture));
      const top = ts.map((t) => t.top1);
      return `mean ${pct(top.reduce((s, v) => s + v, 0) / top.length)}% (${pct(Math.min(...top))}-${pct(Math.max(...top))}%, ${Math.min(...ms).toFixed(1)}-${Math.max(...ms).toFixed(1)} ms predicted)`;
    };
    console.log(
      `searched vs random at the final budget: ${searchedRuns.length} searched ${group(searchedRuns)}, ${randomRuns.length} random ${group(randomRuns)}; difference ${(100 * searchedVsRandom.difference).toFixed(1)} pp, exact permutation test p = ${searchedVsRandom.p.toFixed(3)} (two-sided, ${searchedVsRandom.splits} splits)`,
    );
  }
  fs.writeFileSync(
    path.join(RESULTS, 'fidelity.json'),
    `${JSON.stringify({ rows, finals: finalRuns.length, ceiling, searchedVsRandom, date: new Date().toISOString() }, null, 1)}\n`,
  );
  const panels: Panel[] = rows
    .filter((r) => r.n > 0)
    .map((r) => {
      const archs = [...finals.keys()].filter((a) => all.some((t) => t.architecture === a && t.budget === r.budget && t.fidelity === 1 && t.seed === 0));
      const pts = (kind: boolean) => archs.filter((a) => randoms.has(a) === kind);
      const series = (kind: boolean, label: string, color: string) => {
        const xs = pts(kind);
        const trial = (a: string) => all.filter((t) => t.architecture === a && t.budget === r.budget && t.fidelity === 1);
        return {
          label,
          color,
          kind: 'points' as const,
          points: xs.map((a) => [100 * trial(a).find((t) => t.seed === 0)!.top1, 100 * finals.get(a)!.top1] as [number, number]),
          errors: xs.map((a) => [100 * finals.get(a)!.low, 100 * finals.get(a)!.high] as [number, number]),
        };
      };
      return {
        title: `${r.budget}: ${r.description}${r.tauFinal ? `, tau ${r.tauFinal.estimate.toFixed(2)}` : ''}`,
        xLabel: 'trial-budget top-1, selection split, seed 0 (%)',
        yLabel: 'final-budget top-1, test split (%)',
        series: [series(false, 'searched (trial records)', PALETTE[3]!), series(true, 'random', PALETTE[0]!)],
      };
    });
  if (panels.length)
    console.log(
      `wrote ${writeFigure(path.join(RESULTS, 'fidelity'), renderFigure(panels, Math.min(3, panels.length), 420, 300, 'Trial budget vs final budget')).join(', ')}`,
    );
  // the networks and their scores, for the README's appendix
  console.log('\n| network | predicted ms | ' + rows.map((r) => `${r.budget} seed 0 / 1`).join(' | ') + ' | final (test) |');
  console.log('|---|---|' + rows.map(() => '---|').join('') + '---|');
  // every network with a trial-budget score, with its final score when it has one
  const scored = [...new Set(all.filter((t) => t.fidelity === 1 && t.budget !== 'final').map((t) => t.architecture))];
  for (const a of scored.sort((p, q) => predictedMs(p) - predictedMs(q))) {
    const f = finals.get(a);
    const cell = (b: string) =>
      [0, 1]
        .map((s) => all.find((t) => t.architecture === a && t.budget === b && t.fidelity === 1 && t.seed === s))
        .map((t) => (t ? pct(t.top1) : '-'))
        .join(' / ');
    console.log(
      `| ${randoms.has(a) ? 'random ' : ''}\`${a}\` | ${predictedMs(a).toFixed(2)} | ${rows.map((r) => cell(r.budget)).join(' | ')} | ${f ? `${pct(f.top1)} [${pct(f.low)}, ${pct(f.high)}]` : '-'} |`,
    );
  }
  // before the final scores exist: do two trial budgets rank the same networks alike?
  const budgets = rows.map((r) => r.budget);
  for (let i = 0; i < budgets.length; i++)
    for (let j = i + 1; j < budgets.length; j++) {
      const at = (a: string, b: string) => all.find((t) => t.architecture === a && t.budget === b && t.fidelity === 1 && t.seed === 0)?.top1;
      const both = scored.filter((a) => at(a, budgets[i]!) !== undefined && at(a, budgets[j]!) !== undefined);
      if (both.length < 3) continue;
      const x = both.map((a) => at(a, budgets[i]!)!);
      const y = both.map((a) => at(a, budgets[j]!)!);
      const range = (v: number[]) => `${pct(Math.min(...v))}-${pct(Math.max(...v))}%`;
      console.log(
        `\ntrial budget ${budgets[i]} against ${budgets[j]} (seed 0, ${both.length} networks): Kendall's tau ${ci(kendallWithInterval(x, y, { seed: 1 }))}, Spearman's rho ${ci(spearmanWithInterval(x, y, { seed: 1 }))} (bootstrap over networks); scores ${range(x)} and ${range(y)}`,
      );
    }
}

main();
