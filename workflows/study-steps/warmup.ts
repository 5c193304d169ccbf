/**
 * The warm-up step of a trial: trials whose warm-up inputs are equal (content key,
 * src/study/warmup-key.ts) start their search from one warm-up run, extended on demand to the longest
 * warm-up asked for.
 */
import { parseSearchConfig } from '../../src/config/training-config';
import { studyLayout } from '../../src/study/names';
import type { TrialPlan } from '../../src/study/trial-plan';
import { warmupKey } from '../../src/study/warmup-key';
import type { PlannedRun } from './study-run';

export type WarmStart = { run: string; step: number };

/** The shared warm-up of a trial's plan, run or extended once and awaited by every trial that needs it. */
export async function sharedWarmup(study: PlannedRun, plan: TrialPlan): Promise<WarmStart | undefined> {
  const { spec, carry, book, data } = study;
  if (!spec.sharedWarmup || plan.warmupEpochs < 1) return undefined;
  const key = warmupKey(study.run.space, data.trial, parseSearchConfig(plan.search));
  for (;;) {
    const have = carry.warmups[key];
    if (have && have.epochSteps.length >= plan.warmupEpochs) {
      book.addSeconds({ savedByWarmup: have.secondsPerEpoch * plan.warmupEpochs });
      return { run: have.run, step: have.epochSteps[plan.warmupEpochs - 1]! };
    }
    const inFlight = study.warmupsInFlight.get(key);
    if (inFlight) {
      await inFlight;
      continue;
    }
    const run = studyLayout.warmup(carry.studyRoot, key);
    const job = study.run.heavy.warmupSupernet
      .executeWithOptions({ summary: `shared warm-up ${key.slice(0, 8)} to epoch ${plan.warmupEpochs}` }, [
        study.request('search', {
          space: spec.space,
          data: data.trial,
          config: plan.search,
          epochs: plan.warmupEpochs,
          table: { uri: carry.tableUri },
          out: run,
        }),
      ])
      .then((w) => {
        const before = have?.epochSteps.length ?? 0;
        const ran = Math.max(1, w.epochSteps.length - before);
        carry.warmups[key] = { run, epochSteps: w.epochSteps, secondsPerEpoch: w.seconds > 0 ? w.seconds / ran : (have?.secondsPerEpoch ?? 0) };
        book.addSeconds({ warmup: w.seconds });
      })
      .finally(() => study.warmupsInFlight.delete(key));
    study.warmupsInFlight.set(key, job);
    await job;
  }
}

/**
 * The warm start a promotion passes: the one its configuration's first rung started from (same key,
 * same warm-up epochs: neither depends on the fidelity). The search's run directory recorded it
 * among its inputs, so the promotion must pass it again to continue that search; it is not used
 * (the directory's own checkpoint is newer) and costs nothing.
 */
export function promotionWarmStart(study: PlannedRun, plan: TrialPlan): WarmStart | undefined {
  if (!study.spec.sharedWarmup || plan.warmupEpochs < 1) return undefined;
  const have = study.carry.warmups[warmupKey(study.run.space, study.data.trial, parseSearchConfig(plan.search))];
  return have && have.epochSteps.length >= plan.warmupEpochs ? { run: have.run, step: have.epochSteps[plan.warmupEpochs - 1]! } : undefined;
}
