// Faults injected on purpose (issue 25), the suite's short version of `npm run bench -- faults`: a
// small real study (real engine, 256 CIFAR-10 images read from S3, 2 trials, a final retraining) on
// its own Temporal dev server, gofakes3 and `spnas worker` processes, with every heavy activity a
// Kubernetes Job on the test control plane (kwok nodes; test/support/pod-runtime.ts runs each pod's
// command). One fault of each kind lands at a seeded random time while it runs: SIGKILL and rolling
// restart of the compute and of the orchestration worker, eviction and deletion of a running pod, a
// Temporal dev-server restart on its SQLite file, an S3 server restart on its data. The study must
// complete with every trial recorded once, no Job or pod left running, and records equal, float for
// float and byte for byte, to a fault-free run of the same spec (bench/faults/outcome.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAULT_KINDS, kindsFor } from '../../bench/faults/plan';
import { runOnce, type RunOptions } from '../../bench/faults/run';
import { ENGINE_ENV } from '../../bench/faults/spec';

const log = (line: string) => process.stderr.write(`${line}\n`);

test(
  'a study survives one fault of each kind: completed, every trial once, nothing left running, records equal to the fault-free run',
  { timeout: 1_500_000 },
  async () => {
    const common: Omit<RunOptions, 'mode' | 'seed' | 'faults' | 'kinds' | 'window'> = { size: 'test', computeWorkers: 2, engineEnv: ENGINE_ENV, log };
    // The fault-free run goes beside the faulted one (on its own servers): its records do not depend on timing.
    const free = runOnce({ ...common, mode: 'local', seed: 0, faults: 0, kinds: [], window: [0, 0] });
    const faulted = runOnce({
      ...common,
      mode: 'k8s',
      seed: 3,
      faults: FAULT_KINDS.length,
      kinds: kindsFor('k8s'),
      window: [10, 150],
      reference: free.then((r) => r.collected),
    });
    const ref = await free;
    assert.deepEqual(ref.record.problems, [], `the fault-free run failed (logs: ${ref.record.logs})`);
    const { record } = await faulted;
    assert.deepEqual(record.problems, [], `seed 3 failed; logs kept in ${record.logs}`);
    assert.ok(record.comparedToReference);
    const injected = record.faults.filter((f) => f.atS !== undefined);
    assert.deepEqual(
      injected.map((f) => f.kind).sort(),
      [...FAULT_KINDS].sort(),
      `every kind injected: ${JSON.stringify(record.faults.map((f) => [f.kind, f.target ?? f.note]))}`,
    );
  },
);
