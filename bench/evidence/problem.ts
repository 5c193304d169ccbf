/**
 * The problem the evidence benches measure, in one place: the main command's study (examples/study.json)
 * on the shared data plan, with its trial budgets, multi-fidelity levels and final budget.
 *
 * Data (src/study/data-plan.ts, seed 0 over CIFAR-10's 50,000 training images): positions [0, 5000) are
 * the test split (read only by final-budget runs), [5000, 10000) the selection split (scores every
 * trial-budget run), [10000, 20000) trial training; final training is every non-test image (45,000).
 * A trial searches on the first 2,500 trial-training images (today's search budget: 3 epochs, the
 * warm-up's share set by `warmupFraction`) and its network is retrained at the trial budgets below.
 */
import * as path from 'node:path';
import type { DataSpec } from '../../src/config/data-spec';
import { makeDataPlan } from '../../src/study/data-plan';
import { parseStudySpec, type StudySpec } from '../../src/study/spec';
import { CIFAR, ROOT } from '../nas/common';

export const RESULTS = path.join(ROOT, 'bench/evidence/results');
export const SPACE = 'cifar-small';
/** Run directories (checkpoints, exported models): a rerun resumes a run interrupted mid-way. */
export const WORK = process.env.SPNAS_EVIDENCE_WORK ?? path.join(ROOT, 'runs/evidence');

export const PLAN = makeDataPlan({ uri: CIFAR, total: 50_000, seed: 0, testImages: 5000, selectionImages: 5000, trialTrainImages: 10_000 });

/** Trial data: the first `images` trial-training images; held out: the selection split. */
export function trialData(images: number): DataSpec {
  const [from, to] = PLAN.ranges.trialTrain;
  if (images > to - from) throw new RangeError(`trial data: ${images} images, the plan has ${to - from}`);
  return { ...PLAN.trial, plan: { ...PLAN.trial.plan!, train: [from, from + images] } };
}

/** `data.plan` of a study spec whose trials train on the first `trialTrainImages` of PLAN's trial training. */
export function planSpec(trialTrainImages: number) {
  const size = (r: [number, number]) => r[1] - r[0];
  return { seed: PLAN.seed, testImages: size(PLAN.ranges.test), selectionImages: size(PLAN.ranges.selection), trialTrainImages };
}

/** The search of every trial: the study's searchEpochs on these images. */
export const SEARCH_IMAGES = 2500;

/**
 * Candidate trial budgets: retraining epochs (fast recipe, batch 64, as the study's trials) on the
 * first `images` trial-training images. 'a' is today's main command.
 */
export const TRIAL_BUDGETS = {
  a: { images: 2500, epochs: 2 },
  b: { images: 10_000, epochs: 2 },
  c: { images: 10_000, epochs: 4 },
} as const;
export type TrialBudget = keyof typeof TRIAL_BUDGETS;

/** The final budget of the main command: fast, 3 epochs on the 45,000 final-training images, batch 128, scored on the test split. */
export const FINAL = { recipe: 'fast' as const, config: { epochs: 3 }, images: 45_000 };

/** Multi-fidelity levels of a hyperband / ASHA study with maxBudget 9 and eta 3: budget / maxBudget. */
export const MAX_BUDGET = 9;
export const ETA = 3;
export const BUDGET_LEVELS = [1, 3, 9] as const;

/** The latency target of the main command's problem: this fraction of the largest network's latency. */
export const TARGET_FRACTION = 0.7;

/** The study spec of the main command at a trial budget (what planTrial turns knobs into engine configs with). */
export function studySpecAt(budget: TrialBudget, sampler = 'gp'): StudySpec {
  return parseStudySpec(
    {
      name: 'evidence',
      storage: '/tmp/spnas-evidence-unused',
      space: SPACE,
      // the plan of PLAN (same source, seed and counts); the engine calls read their splits from PLAN
      data: { train: { uri: CIFAR, limit: PLAN.total }, plan: planSpec(TRIAL_BUDGETS[budget].images) },
      objectives: { latency: 'measured', latencyTargetFraction: TARGET_FRACTION },
      hpo: { sampler, trials: 8, parallelism: 1, seed: 0, maxBudget: MAX_BUDGET, eta: ETA },
      budget: {
        searchEpochs: 3,
        warmupEpochs: 1,
        retrainEpochs: TRIAL_BUDGETS[budget].epochs,
        batchSize: 64,
        seed: 0,
        retrain: { recipe: 'fast', batchSize: 64 },
        final: { models: 1, recipe: FINAL.recipe, config: FINAL.config },
      },
    },
    'evidence study spec',
  );
}
