/**
 * The trial records (issue 22, point 4's table): every knob configuration of the design run as a real
 * trial of the main command's study, through the use cases a study's activities call: the shared
 * warm-up (run once), the search (continuing from the warm-up at the configuration's warm-up epoch),
 * the derived network, its retraining at the trial budgets, its score on the selection split.
 *
 * Multi-fidelity: the search runs in stages at the levels a hyperband / ASHA study with maxBudget 9 and
 * eta 3 would (fidelity 1/9, 1/3, 1 of the search epochs after the warm-up), each stage continuing the
 * previous one's checkpoint as a promotion does, and the network derived at each stage is retrained at
 * that fidelity of the `--mf` budgets' epochs (from scratch: the trials' 'fast' recipe decays over its
 * run's epochs, so a retraining cannot be continued). At full fidelity it is retrained at every
 * `--budgets` budget. A retraining of an architecture already recorded (same budget, fidelity, seed) is
 * not repeated: its result is the same (runs are deterministic by seed).
 *
 *   node --import tsx bench/evidence/trials.ts [--sobol 26] [--from 0 --to 28] [--budgets a,b] [--mf a]
 *     [--search-only | --retrain-only --wait 600]
 *
 * Needs results/table.json (bench/evidence/latency.ts --profile). Appends to results/trials.jsonl.
 */
import { planTrial } from '../../src/study/trial-plan';
import { argMap } from '../nas/common';
import { KNOB_SOBOL_POINTS, knobDesign } from './design';
import { ensureWarmup, retrain, searchStage } from './engine';
import { largestPredictedMs } from './latency-model';
import { BUDGET_LEVELS, MAX_BUDGET, studySpecAt, type TrialBudget } from './problem';
import { FILES, findTrain, readAll, searches, trains } from './records';

const a = argMap(process.argv.slice(2));
const budgets = (a.budgets ?? 'a,b').split(',').filter(Boolean) as TrialBudget[];
const mf = (a.mf ?? 'a').split(',').filter(Boolean) as TrialBudget[];

async function main(): Promise<void> {
  const design = knobDesign(Number(a.sobol ?? KNOB_SOBOL_POINTS));
  const configs = design.slice(Number(a.from ?? 0), Number(a.to ?? design.length));
  const largest = largestPredictedMs();
  const spec = studySpecAt('a');
  const levels = mf.length ? [...BUDGET_LEVELS] : [MAX_BUDGET];
  // searches first, so the other lanes see every architecture early; then the retrainings
  if (!a['retrain-only']) {
    const warmup = await ensureWarmup(planTrial(spec, design[0]!.knobs, largest).search);
    for (const c of configs)
      for (const level of levels) {
        if (searches().some((s) => s.configId === c.configId && s.level === level)) continue;
        const s = await searchStage({ ...c, level, fidelity: level / MAX_BUDGET, plan: planTrial(spec, c.knobs, largest, level / MAX_BUDGET), warmup });
        if (!s) break; // another lane is searching this configuration
        process.stdout.write(
          `search ${c.configId} level ${level}: ${s.architecture} ${s.predictedMs.toFixed(2)} ms${s.supernetTop1 !== undefined ? `, supernet ${(100 * s.supernetTop1).toFixed(1)}%` : ''}\n`,
        );
      }
  }
  if (a['search-only']) return;
  // --retrain-only: beside a search pass, retrain what it has searched, waiting (--wait s) for the rest
  for (;;) {
    let missing = 0;
    for (const c of configs)
      for (const level of levels)
        for (const budget of level === MAX_BUDGET ? [...new Set([...budgets, ...mf])] : mf) {
          const s = searches().find((r) => r.configId === c.configId && r.level === level);
          if (!s) {
            missing++;
            continue;
          }
          const key = { architecture: s.architecture, budget, fidelity: level / MAX_BUDGET, seed: 0 };
          if (findTrain(trains(readAll()), key)) continue;
          const t = await retrain({ ...key, file: FILES.trials });
          if (!t) {
            missing++; // another lane is on it
            continue;
          }
          process.stdout.write(
            `retrain ${c.configId} level ${level} budget ${budget}: ${(100 * t.top1).toFixed(1)}% [${(100 * t.low).toFixed(1)}, ${(100 * t.high).toFixed(1)}] of ${t.count} (${t.wallSeconds.toFixed(0)} s)\n`,
          );
        }
    if (!missing || !a.wait) return;
    process.stderr.write(`${missing} searches not recorded yet; waiting ${a.wait} s\n`);
    await new Promise((r) => setTimeout(r, Number(a.wait) * 1000));
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
