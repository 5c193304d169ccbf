/**
 * StudyWorkflow: a NAS-hyperparameter study, as a sequence of named steps (workflows/study-steps/):
 * plan (prepare the study, fix the latency table), run trials (the sampler's proposals, each trial's
 * shared warm-up and its TrialWorkflow, at most `parallelism` at once, outcomes told back), drain and
 * continue as new every `trialsPerRun` trials, the final phase (the front's best retrained with the
 * final budget), the summary next to the artifacts. The steps share one small state object
 * (`StudyRun`, also read and changed by the query and update handlers; `PlannedRun` once planned).
 *
 * The command order is the one every recorded history holds (test/orchestration/replay.test.ts): the
 * trial loop stays here, and the steps it calls are synchronous or return the activity's own promise,
 * so no extra await lets a trial's end or a handler issue a command out of its recorded turn.
 */
import { ContinueAsNew, allHandlersFinished, condition, continueAsNew, isCancellation, patched } from '@temporalio/workflow';
import type { StudyResult } from '../src/study/records';
import type { StudyCarry } from './study-steps/carry';
import { continuesAsNew, nextRunCarry } from './study-steps/continue';
import { finalPhase } from './study-steps/final-phase';
import { planStudy, readSpec } from './study-steps/plan';
import { installSteering } from './study-steps/steering';
import { openStudy, StudyRun } from './study-steps/study-run';
import { completeStudy, recordCancellation } from './study-steps/summary';
import { launchTrials, proposeTrials, trialsOver, trialsToLaunch } from './study-steps/trials';

export type { StudyCarry } from './study-steps/carry';

export async function StudyWorkflow(rawSpec: unknown, carried?: StudyCarry): Promise<StudyResult> {
  const { spec, space } = readSpec(rawSpec);
  // Studies recorded before the state attribute existed replay without its upserts and with the old order of begin().
  // Studies recorded before a tie at the target went to the higher top-1 estimate select as they did (latency first).
  const run = new StudyRun(spec, space, carried, patched('study-state-attribute'), patched('selection-tie-top1') ? 'top-1' : 'latency');
  // Handlers first: updates and queries may arrive while the study is still being planned.
  installSteering(run);
  try {
    const study = openStudy(run, run.carry ?? (await planStudy(run)));
    try {
      // Run trials: propose and launch while there is room, else wait for a trial's end or an update.
      for (;;) {
        const n = trialsToLaunch(study);
        if (n > 0) {
          launchTrials(study, await proposeTrials(study, n));
          continue;
        }
        if (trialsOver(study)) break;
        await condition(() => run.changed);
        run.changed = false;
      }
      // Drain and continue: the running trials have finished; the handlers finish before the carry is taken.
      if (continuesAsNew(study)) {
        await condition(allHandlersFinished);
        return await continueAsNew<typeof StudyWorkflow>(spec, nextRunCarry(study));
      }
      const final = await finalPhase(study);
      return await completeStudy(study, final);
    } catch (err) {
      if (!isCancellation(err)) throw err;
      await recordCancellation(study);
      throw err;
    }
  } catch (err) {
    // A failure of the study itself (not a failed trial: those are recorded and the study goes on).
    if (!isCancellation(err) && !(err instanceof ContinueAsNew)) run.setState('failed');
    throw err;
  }
}
