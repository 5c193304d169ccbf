// Worker versioning as the chart configures it (SPNAS_WORKER_DEPLOYMENT_NAME / SPNAS_WORKER_BUILD_ID):
// the workers register as a Worker Deployment version, and a study started while that version is
// current is pinned to it (it stays on the build that started it through a later deploy).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { InvalidInputError } from '../../src/errors';
import { temporalBinary } from '../../src/temporal/dev-server';
import { startOrAttachStudy, studyResult } from '../../src/temporal/study-client';
import { workerConfigFromEnv } from '../../src/temporal/worker-config';
import { startTemporal, tinyStudy, type TemporalFixture } from '../support/temporal';

const run = promisify(execFile);
let t: TemporalFixture;
before(async () => {
  t = await startTemporal();
});
after(async () => t?.stop());

test('one of the two versioning variables alone is refused, naming both', () => {
  assert.throws(
    () => workerConfigFromEnv({ SPNAS_WORKER_DEPLOYMENT_NAME: 'spnas' }),
    (e: unknown) => e instanceof InvalidInputError && /SPNAS_WORKER_DEPLOYMENT_NAME and SPNAS_WORKER_BUILD_ID go together/.test(e.message),
  );
  assert.equal(workerConfigFromEnv({ SPNAS_WORKER_DEPLOYMENT_NAME: 'spnas', SPNAS_WORKER_BUILD_ID: '0.1.0' }).buildId, '0.1.0');
});

test('versioned workers: a study started on the current version is pinned to it and completes', { timeout: 180_000 }, async () => {
  await t.workers({ engine: 'noop', deploymentName: 'spnas-test', buildId: '0.1.0' });
  const addr = ['--address', t.target.address, '--namespace', t.target.namespace];
  // the version exists once its workers have polled: retry until the server knows it
  for (let i = 0; ; i++) {
    try {
      await run(temporalBinary(), ['worker', 'deployment', 'set-current-version', ...addr, '--deployment-name', 'spnas-test', '--build-id', '0.1.0', '--yes']);
      break;
    } catch (err) {
      if (i > 60) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const { handle } = await startOrAttachStudy(
    t.client,
    tinyStudy('versioned', path.join(t.dir, 'store'), { hpo: { sampler: 'random', trials: 2, parallelism: 2, seed: 1 } }),
    'spnas-orchestration',
  );
  const s = await studyResult(handle);
  assert.equal(s.state, 'completed');
  const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
  assert.equal(info?.behavior, 1, `pinned (VERSIONING_BEHAVIOR_PINNED), got ${JSON.stringify(info)}`);
  assert.equal(info?.deploymentVersion?.buildId, '0.1.0');
  assert.equal(info?.deploymentVersion?.deploymentName, 'spnas-test');
});
