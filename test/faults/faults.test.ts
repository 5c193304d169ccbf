// Faults injected on purpose (issue 25), the suite's short version of `npm run bench -- faults`: a
// small real study (real engine, 256 CIFAR-10 images read from S3, 2 trials at once, a final
// retraining) on its own Temporal dev server, gofakes3 and `spnas worker` processes, with every heavy
// activity a Kubernetes Job on the test control plane (kwok nodes; test/support/pod-runtime.ts runs
// each pod's command). Five faults land at seeded random times while it runs: a rolling restart of the
// compute worker (its Jobs detached, the retry adopts them), eviction and deletion of a running pod,
// a Temporal dev-server restart on its SQLite file, an S3 server restart on its data. (The worker
// SIGKILLs and the orchestration worker's restarts are the campaign's: bench/faults/README-section.md.)
// The study must complete with every trial recorded once, no Job or pod left running, and records
// equal, float for float and byte for byte, to a fault-free run of the same spec run beside it
// (bench/faults/outcome.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FaultKind } from '../../bench/faults/plan';
import { runOnce, type RunOptions } from '../../bench/faults/run';
import { ENGINE_ENV } from '../../bench/faults/spec';

const KINDS: FaultKind[] = ['restart-compute', 'evict-pod', 'delete-pod', 'restart-temporal', 'restart-s3'];
const log = (line: string) => process.stderr.write(`${line}\n`);

test(
  'a study on Jobs survives a compute-worker restart, an eviction, a pod deletion, Temporal and S3 restarts: completed, every trial once, nothing left running, records equal to the fault-free run',
  { timeout: 1_500_000 },
  async () => {
    const common: Omit<RunOptions, 'mode' | 'seed' | 'faults' | 'kinds' | 'window'> = { size: 'test', computeWorkers: 2, engineEnv: ENGINE_ENV };
    // The fault-free run goes beside the faulted one (on its own servers): its records do not depend on timing.
    const free = runOnce({ ...common, mode: 'local', seed: 0, faults: 0, kinds: [], window: [0, 0], log: (l) => log(`[fault-free] ${l}`) });
    const faulted = runOnce({
      ...common,
      mode: 'k8s',
      seed: 3,
      faults: KINDS.length,
      kinds: KINDS,
      window: [10, 80],
      reference: free.then((r) => r.collected),
      log: (l) => log(`[faulted] ${l}`),
    });
    const ref = await free;
    assert.deepEqual(ref.record.problems, [], `the fault-free run failed (logs: ${ref.record.logs})`);
    const { record } = await faulted;
    assert.deepEqual(record.problems, [], `seed 3 failed; logs kept in ${record.logs}`);
    assert.ok(record.comparedToReference);
    const injected = record.faults.filter((f) => f.atS !== undefined);
    assert.deepEqual(
      injected.map((f) => f.kind).sort(),
      [...KINDS].sort(),
      `every kind injected: ${JSON.stringify(record.faults.map((f) => [f.kind, f.target ?? f.note]))}`,
    );
  },
);
