/**
 * The study's query and steering updates, installed first: they may arrive while the study is still
 * being planned, so the updates wait until the carry and the ledger exist (StudyRun.prepared).
 */
import { condition, setHandler } from '@temporalio/workflow';
import { addTrialsUpdate, checkParallelism, checkSteerable, checkTrialCount, setParallelismUpdate, statusQuery, stopUpdate } from '../definitions';
import type { StudyRun } from './study-run';

export function installSteering(run: StudyRun): void {
  const prepared = () => run.prepared();
  setHandler(statusQuery, () => run.status());
  setHandler(
    addTrialsUpdate,
    async (n) => {
      await condition(prepared);
      run.carry!.planned += n;
      run.wake();
      return run.status();
    },
    {
      validator: (n) => {
        checkTrialCount(n);
        checkSteerable('addTrials', run.state, run.stopRequested);
      },
    },
  );
  setHandler(
    setParallelismUpdate,
    async (n) => {
      await condition(prepared);
      run.carry!.parallelism = n;
      run.wake();
      return run.status();
    },
    {
      validator: (n) => {
        checkParallelism(n);
        checkSteerable('setParallelism', run.state, run.stopRequested);
      },
    },
  );
  setHandler(stopUpdate, async () => {
    run.stopRequested = true;
    await condition(prepared);
    run.carry!.stopping = true;
    if (run.state === 'running') run.setState('stopping');
    run.wake();
    return run.status();
  });
}
