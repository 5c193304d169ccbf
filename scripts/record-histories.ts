/**
 * Records the event histories test/orchestration/replay.test.ts replays against the current workflow
 * code (test/fixtures/histories/*.json). Re-record when a workflow change is meant to be incompatible,
 * never to silence a replay failure; running studies survive such a change by worker versioning (a
 * new SPNAS_WORKER_BUILD_ID: pinned studies finish on the build they started on, docs/orchestration.md),
 * or by patched() where workers are deployed unversioned.
 *
 *   node --import tsx scripts/record-histories.ts
 *
 * Runs small studies with the no-op engine on a throw-away dev server: plain completion with parallel
 * trials, continue-as-new with the GP sampler, steering updates (addTrials, setParallelism, stop), the
 * shared warm-up, and a cancelled study. Each workflow run's history goes into its own file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { temporalBinary } from '../src/temporal/dev-server';
import { studyWorkflowId } from '../src/study/names';
import { addTrials, setParallelism, startOrAttachStudy, stopStudy, studyResult, studyStatus } from '../src/temporal/study-client';
import { startTemporal, tinyStudy } from '../test/support/temporal';

const OUT = path.join(__dirname, '..', 'test', 'fixtures', 'histories');
const QUEUE = 'spnas-orchestration';

async function main(): Promise<void> {
  const t = await startTemporal();
  try {
    await t.workers({ engine: 'noop', noopDelayMs: 300 });
    const store = path.join(t.dir, 'store');
    const studies: string[] = [];

    studies.push('rec-basic');
    await studyResult(
      (await startOrAttachStudy(t.client, tinyStudy('rec-basic', store, { hpo: { sampler: 'random', trials: 3, parallelism: 2, seed: 3 } }), QUEUE)).handle,
    );

    studies.push('rec-can');
    await studyResult(
      (await startOrAttachStudy(t.client, tinyStudy('rec-can', store, { hpo: { sampler: 'gp', trials: 4, parallelism: 1, seed: 11 }, trialsPerRun: 2 }), QUEUE))
        .handle,
    );

    studies.push('rec-steer');
    const steer = (await startOrAttachStudy(t.client, tinyStudy('rec-steer', store, { hpo: { sampler: 'random', trials: 3, parallelism: 1, seed: 5 } }), QUEUE))
      .handle;
    await addTrials(steer, 1);
    await setParallelism(steer, 2);
    while ((await studyStatus(steer)).trials.ok < 2) await new Promise((r) => setTimeout(r, 100));
    await stopStudy(steer);
    await studyResult(steer);

    studies.push('rec-cancel');
    const cancel = (
      await startOrAttachStudy(t.client, tinyStudy('rec-cancel', store, { hpo: { sampler: 'random', trials: 4, parallelism: 1, seed: 7 } }), QUEUE)
    ).handle;
    while ((await studyStatus(cancel)).trials.running < 1) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000)); // past the shared warm-up: a trial workflow is running
    await cancel.cancel();
    await cancel.result().catch(() => undefined);

    await new Promise((r) => setTimeout(r, 3000)); // the visibility store lags the histories a little
    fs.rmSync(OUT, { recursive: true, force: true });
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

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
