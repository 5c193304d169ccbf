/**
 * Which tie-break should choose the model at the latency target (issue 22, point 1)? When the trial
 * budget's 95% intervals cannot separate two networks, the study still has to retrain one of them.
 * From the recorded networks that also have a final-budget score (the fidelity set), for every pair
 * whose trial-budget top-1s are tied (Newcombe interval of the difference contains 0, as the study
 * decides, src/study/accuracy.ts): which network each rule picks (the higher top-1 estimate, or the
 * lower predicted latency, the front's rule), and whether the pick is the better final model. The
 * difference between the rules, in final top-1 pp of the picked network averaged over the tied pairs,
 * gets a percentile bootstrap interval over the networks (pairs are not independent: every pair of a
 * resample's distinct draws counts). Prints the table; writes results/tie-break.json.
 *
 *   node --import tsx bench/evidence/report-tie-break.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bootstrapInterval, type BootstrapInterval } from '../../src/stats/rank';
import { compareTop1 } from '../../src/study/accuracy';
import { predictedMs } from './latency-model';
import { RESULTS, TRIAL_BUDGETS, type TrialBudget } from './problem';
import { trains, type TrainRecord } from './records';

interface Network {
  arch: string;
  trial: TrainRecord;
  finalTop1: number;
  ms: number;
}

interface RuleCount {
  /** Tied pairs where the rule's pick has the higher final top-1 (pairs with equal final scores left out). */
  right: number;
  /** Mean final top-1 of the rule's pick minus the other network's, over the tied pairs. */
  meanGain: number;
}

interface BudgetRow {
  budget: TrialBudget;
  networks: number;
  pairs: number;
  tiedPairs: number;
  /** Tied pairs with different final scores (the ones a rule can get right or wrong). */
  decidable: number;
  top1: RuleCount;
  latency: RuleCount;
  /** Mean final top-1 of the top-1 rule's pick minus the latency rule's, over tied pairs, with its interval. */
  top1MinusLatency: BootstrapInterval;
}

/** The rule's pick of a tied pair: the higher estimate (equal: the faster), or the faster (equal: the higher estimate). */
const pickTop1 = (a: Network, b: Network) => (a.trial.top1 !== b.trial.top1 ? (a.trial.top1 > b.trial.top1 ? a : b) : a.ms <= b.ms ? a : b);
const pickLatency = (a: Network, b: Network) => (a.ms !== b.ms ? (a.ms < b.ms ? a : b) : pickTop1(a, b));
const other = (p: Network, a: Network, b: Network) => (p === a ? b : a);
const tied = (a: Network, b: Network) => compareTop1({ top1: a.trial.top1, images: a.trial.count }, { top1: b.trial.top1, images: b.trial.count }) === 0;

function tiedPairs(nets: readonly Network[]): Array<[Network, Network]> {
  const out: Array<[Network, Network]> = [];
  for (let i = 0; i < nets.length; i++)
    for (let j = i + 1; j < nets.length; j++) if (nets[i] !== nets[j] && tied(nets[i]!, nets[j]!)) out.push([nets[i]!, nets[j]!]);
  return out;
}

function ruleCount(pairs: ReadonlyArray<[Network, Network]>, pick: (a: Network, b: Network) => Network): RuleCount {
  let right = 0;
  let gain = 0;
  for (const [a, b] of pairs) {
    const p = pick(a, b);
    const d = p.finalTop1 - other(p, a, b).finalTop1;
    if (d > 0) right++;
    gain += d;
  }
  return { right, meanGain: pairs.length ? gain / pairs.length : NaN };
}

const gapOf = (pairs: ReadonlyArray<[Network, Network]>) =>
  pairs.length ? pairs.reduce((s, [a, b]) => s + pickTop1(a, b).finalTop1 - pickLatency(a, b).finalTop1, 0) / pairs.length : NaN;

export function tieBreakRows(all: TrainRecord[]): BudgetRow[] {
  // the fidelity set's own runs (a validation study's trials repeat architectures with other knobs)
  const full = all.filter((t) => t.fidelity === 1 && t.seed === 0 && t.study === undefined);
  const finals = new Map(full.filter((t) => t.budget === 'final').map((t) => [t.architecture, t.top1]));
  const rows: BudgetRow[] = [];
  for (const budget of Object.keys(TRIAL_BUDGETS) as TrialBudget[]) {
    const nets: Network[] = full
      .filter((t) => t.budget === budget && finals.has(t.architecture))
      .map((t) => ({ arch: t.architecture, trial: t, finalTop1: finals.get(t.architecture)!, ms: predictedMs(t.architecture) }));
    if (nets.length < 2) continue;
    const pairs = tiedPairs(nets);
    const decidable = pairs.filter(([a, b]) => a.finalTop1 !== b.finalTop1);
    rows.push({
      budget,
      networks: nets.length,
      pairs: (nets.length * (nets.length - 1)) / 2,
      tiedPairs: pairs.length,
      decidable: decidable.length,
      top1: ruleCount(decidable, pickTop1),
      latency: ruleCount(decidable, pickLatency),
      top1MinusLatency: bootstrapInterval(nets.length, (ix) => gapOf(tiedPairs(ix.map((i) => nets[i]!))), { seed: 1 }),
    });
  }
  return rows;
}

function main(): void {
  const rows = tieBreakRows(trains());
  const pp = (x: number) => (100 * x).toFixed(2);
  console.log(
    '| trial budget | networks | tied pairs | higher top-1 estimate picks the better final model | lower latency does | top-1 rule minus latency rule, final top-1 pp [95%] |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.budget} (${TRIAL_BUDGETS[r.budget].epochs} epochs on ${TRIAL_BUDGETS[r.budget].images} images) | ${r.networks} | ${r.tiedPairs} of ${r.pairs} | ${r.top1.right} of ${r.decidable} (mean ${pp(r.top1.meanGain)} pp) | ` +
        `${r.latency.right} of ${r.decidable} (mean ${pp(r.latency.meanGain)} pp) | ${pp(r.top1MinusLatency.estimate)} [${pp(r.top1MinusLatency.low)}, ${pp(r.top1MinusLatency.high)}] |`,
    );
  const file = path.join(RESULTS, 'tie-break.json');
  fs.writeFileSync(file, JSON.stringify({ rows, date: new Date().toISOString() }, null, 1));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

if (require.main === module) main();
