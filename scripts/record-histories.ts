/**
 * Records the event histories test/orchestration/replay.test.ts replays against the current workflow
 * code (test/fixtures/histories/*.json). Re-record when a workflow change is meant to be incompatible,
 * never to silence a replay failure; running studies survive such a change by worker versioning (a
 * new SPNAS_WORKER_BUILD_ID: pinned studies finish on the build they started on, docs/orchestration.md),
 * or by patched() where workers are deployed unversioned.
 *
 *   node --import tsx scripts/record-histories.ts                  # every study, replacing all files
 *   node --import tsx scripts/record-histories.ts rec-mf ...       # only these, beside the others
 *
 * Runs small studies with the no-op engine on a throw-away dev server: plain completion with parallel
 * trials, continue-as-new with the GP sampler, steering updates (addTrials, setParallelism, stop), the
 * shared warm-up, a cancelled study, multi-fidelity promotions (ASHA) and a trial cancelled on its own.
 * Each workflow run's history goes into its own file. Adding studies by name keeps the histories of
 * older code (the patched() branches they take) in the fixtures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { temporalBinary } from '../src/temporal/dev-server';
import { studyWorkflowId, trialWorkflowId } from '../src/study/names';
import { addTrials, setParallelism, startOrAttachStudy, stopStudy, studyResult, studyStatus } from '../src/temporal/study-client';
import { startTemporal, tinyStudy } from '../test/support/temporal';

const OUT = path.join(__dirname, '..', 'test', 'fixtures', 'histories');
const QUEUE = 'spnas-orchestration';

async function main(only: string[]): Promise<void> {
  const t = await startTemporal();
  try {
    await t.workers({ engine: 'noop', noopDelayMs: 300 });
    const store = path.join(t.dir, 'store');
    const studies: string[] = [];
    const wanted = (name: string) => only.length === 0 || only.includes(name);

    if (wanted('rec-basic')) {
      studies.push('rec-basic');
      await studyResult(
        (await startOrAttachStudy(t.client, tinyStudy('rec-basic', store, { hpo: { sampler: 'random', trials: 3, parallelism: 2, seed: 3 } }), QUEUE)).handle,
      );
    }
    if (wanted('rec-can')) {
      studies.push('rec-can');
      await studyResult(
        (
          await startOrAttachStudy(
            t.client,
            tinyStudy('rec-can', store, { hpo: { sampler: 'gp', trials: 4, parallelism: 1, seed: 11 }, trialsPerRun: 2 }),
            QUEUE,
          )
        ).handle,
      );
    }
    if (wanted('rec-steer')) {
      studies.push('rec-steer');
      const steer = (
        await startOrAttachStudy(t.client, tinyStudy('rec-steer', store, { hpo: { sampler: 'random', trials: 3, parallelism: 1, seed: 5 } }), QUEUE)
      ).handle;
      await addTrials(steer, 1);
      await setParallelism(steer, 2);
      while ((await studyStatus(steer)).trials.ok < 2) await new Promise((r) => setTimeout(r, 100));
      await stopStudy(steer);
      await studyResult(steer);
    }
    if (wanted('rec-cancel')) {
      studies.push('rec-cancel');
      const cancel = (
        await startOrAttachStudy(t.client, tinyStudy('rec-cancel', store, { hpo: { sampler: 'random', trials: 4, parallelism: 1, seed: 7 } }), QUEUE)
      ).handle;
      while ((await studyStatus(cancel)).trials.running < 1) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 1000)); // past the shared warm-up: a trial workflow is running
      await cancel.cancel();
      await cancel.result().catch(() => undefined);
    }

    if (wanted('rec-mf')) {
      // ASHA promotions: a promoted trial passes its configuration's warm start
      studies.push('rec-mf');
      await studyResult(
        (
          await startOrAttachStudy(
            t.client,
            tinyStudy('rec-mf', store, { hpo: { sampler: 'asha', trials: 4, parallelism: 1, seed: 2, maxBudget: 3, eta: 3 } }),
            QUEUE,
          )
        ).handle,
      );
    }

    if (wanted('rec-trial-cancel')) {
      // a trial workflow cancelled on its own: recorded, told to the sampler, replaced
      studies.push('rec-trial-cancel');
      const h = (
        await startOrAttachStudy(t.client, tinyStudy('rec-trial-cancel', store, { hpo: { sampler: 'random', trials: 2, parallelism: 1, seed: 3 } }), QUEUE)
      ).handle;
      while (!(await studyStatus(h)).runningTrials?.includes(0)) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 500)); // its search is running
      await t.client.workflow.getHandle(trialWorkflowId(studyWorkflowId('rec-trial-cancel'), 0)).cancel();
      await studyResult(h);
    }

    await new Promise((r) => setTimeout(r, 3000)); // the visibility store lags the histories a little
    if (only.length === 0) fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });
    let n = 0;
    for (const s of studies) {
      for await (const w of t.client.workflow.list({ query: `WorkflowId STARTS_WITH '${studyWorkflowId(s)}'` })) {
        // The CLI's JSON is the proto-JSON form every Temporal tool reads (historyFromJSON included).
        const history = JSON.parse(
          execFileSync(
            temporalBinary(),
            [
              'workflow',
              'show',
              '--address',
              t.target.address,
              '--namespace',
              t.target.namespace,
              '--workflow-id',
              w.workflowId,
              '--run-id',
              w.runId,
              '--output',
              'json',
            ],
            { encoding: 'utf8', maxBuffer: 64 << 20 },
          ),
        );
        const file = `${w.type}-${w.workflowId.replace(/[^A-Za-z0-9_.-]/g, '_')}-${w.runId}.json`;
        fs.writeFileSync(path.join(OUT, file), JSON.stringify({ workflowId: w.workflowId, workflowType: w.type, history }) + '\n');
        n++;
      }
    }
    console.log(`recorded ${n} histories in ${path.relative(process.cwd(), OUT)}`);
  } finally {
    await t.stop();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
