/**
 * The fidelity bench's retrainings (issue 22, point 3): the networks of the fidelity set scored at
 * the final budget (test split) and at the trial budgets with more seeds (selection split).
 *
 * The fidelity set: 4 random networks spanning the latency range (one per quarter of 0.4-1.0 of the
 * largest network's predicted latency; the engine's seeded sampler), then the networks the trial
 * records produced (full-fidelity searches), each next one the farthest in predicted latency from
 * those already in the set (so a partial set spans the range); at the final budget --trial-archs of
 * them (a network whose final run was interrupted is resumed first), at trial budgets all of them.
 * With --wait, when nothing is left to score, it waits for the trial records to produce networks.
 *
 *   node --import tsx bench/evidence/scores.ts --budget final [--seeds 0] [--trial-archs 12] [--wait 600]
 *   node --import tsx bench/evidence/scores.ts --budget a,b --seeds 0,1    # the same set at trial budgets
 *
 * Appends to results/scores.jsonl.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentKey } from '../../src/study/content-key';
import { argMap } from '../nas/common';
import { retrain } from './engine';
import { largestPredictedMs, predictedMs, randomArchitecturesInBins } from './latency-model';
import { MAX_BUDGET, WORK, type TrialBudget } from './problem';
import { FILES, findTrain, readAll, searches, trains } from './records';

const a = argMap(process.argv.slice(2));

/** The random members: one per quarter of [0.4, 1.0] x the largest network's predicted latency. */
export function randomMembers(): string[] {
  const L = largestPredictedMs();
  const edges = [0.4, 0.55, 0.7, 0.85, 1.0].map((f) => f * L);
  return randomArchitecturesInBins(
    edges.slice(0, -1).map((lo, i) => [lo, edges[i + 1]!]),
    22,
  );
}

/** Distinct architectures of the full-fidelity searches, in the order they were first found. */
export function trialArchitectures(): string[] {
  return [
    ...new Set(
      searches()
        .filter((s) => s.level === MAX_BUDGET)
        .map((s) => s.architecture),
    ),
  ];
}

/** Greedy maximin on predicted latency: each next network the farthest from those before it. */
function spread(first: string[], rest: string[]): string[] {
  const ms = new Map([...first, ...rest].map((x) => [x, predictedMs(x)]));
  const out = [...first];
  const left = [...rest];
  while (left.length) {
    const gap = (y: string) => (out.length ? Math.min(...out.map((t) => Math.abs(ms.get(y)! - ms.get(t)!))) : 0);
    const i = left.reduce((bi, x, k) => (gap(x) > gap(left[bi]!) ? k : bi), 0);
    out.push(...left.splice(i, 1));
  }
  return out;
}

/**
 * The networks to score at `budget`, in order. Final budget: those already scored, an interrupted run
 * (its run directory holds checkpoints), then the rest one at a time from the kind (random member or
 * trial network) furthest behind its share (4 : `maxTrial`), within the kind by maximin on latency, so
 * a partial set holds both kinds across the range. Trial budgets: the random members and every trial
 * network.
 */
export function fidelityOrder(budget: TrialBudget | 'final', maxTrial: number): string[] {
  const randoms = randomMembers();
  const candidates = trialArchitectures().filter((x) => !randoms.includes(x));
  if (budget !== 'final') return spread(randoms, candidates);
  const finals = new Set(
    trains()
      .filter((t) => t.budget === 'final')
      .map((t) => t.architecture),
  );
  const all = [...randoms, ...candidates];
  const out = [
    ...all.filter((x) => finals.has(x)),
    ...all.filter((x) => !finals.has(x) && fs.existsSync(path.join(WORK, 'train', 'final', `${contentKey(x)}-f1.0000-s0`))),
  ];
  const count = (kind: string[]) => out.filter((x) => kind.includes(x)).length;
  for (;;) {
    const left = (kind: string[]) => kind.filter((x) => !out.includes(x));
    const trialRoom = count(candidates) < maxTrial && left(candidates).length > 0;
    const randomRoom = left(randoms).length > 0;
    if (!trialRoom && !randomRoom) return out;
    const kind = !trialRoom || (randomRoom && count(randoms) / randoms.length < count(candidates) / maxTrial) ? randoms : candidates;
    out.push(spread(out, left(kind))[out.length]!);
  }
}

/** The retrainings not recorded yet, seed-major (so partial results stay balanced across networks). */
function* jobs(budgets: Array<TrialBudget | 'final'>, seeds: number[], maxTrial: number) {
  const done = trains(readAll());
  for (const seed of seeds)
    for (const budget of budgets)
      for (const architecture of fidelityOrder(budget, maxTrial)) {
        const key = { architecture, budget, fidelity: 1, seed };
        if (!findTrain(done, key)) yield key;
      }
}

async function main(): Promise<void> {
  const budgets = (a.budget ?? 'final').split(',') as Array<TrialBudget | 'final'>;
  const seeds = (a.seeds ?? '0').split(',').map(Number);
  const maxTrial = Number(a['trial-archs'] ?? 12);
  const wait = Number(a.wait ?? 0);
  for (;;) {
    let ran = false;
    for (const key of jobs(budgets, seeds, maxTrial)) {
      const t = await retrain({ ...key, file: FILES.scores });
      if (!t) continue; // another lane is on it
      process.stdout.write(
        `${key.budget} seed ${key.seed} ${key.architecture}: ${(100 * t.top1).toFixed(1)}% [${(100 * t.low).toFixed(1)}, ${(100 * t.high).toFixed(1)}] of ${t.count} (${t.wallSeconds.toFixed(0)} s wall, ${t.cpuSeconds.toFixed(0)} s CPU)\n`,
      );
      ran = true;
      break; // recompute the order: new trial networks may have appeared
    }
    if (ran) continue;
    if (!wait) return;
    process.stderr.write(`nothing left to score with the trial networks found so far; waiting ${wait} s for the trial records\n`);
    await new Promise((r) => setTimeout(r, wait * 1000));
  }
}

if (require.main === module)
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
