// Run leases in one process, on local disk and on S3 (gofakes3): acquisition, expiry, fencing of a
// superseded writer, checkpoints committed through the lease, run.json claims, servers without
// conditional writes. The two-process scenarios are in run-lease-processes.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckpointStore,
  claimRunInputs,
  FencedStore,
  LeaseHeldError,
  LeaseLostError,
  openStore,
  publishArtifact,
  readArtifactManifest,
  readLeaseRecord,
  RunLease,
  type LeaseClock,
  type ObjectStore,
} from '../../src/storage';
import { SpnasError } from '../../src/errors';
import { startS3Server, type S3TestServer } from '../support/s3-server';

let server: S3TestServer;
let dir: string;
let n = 0;
before(async () => {
  server = await startS3Server();
  dir = mkdtempSync(join(tmpdir(), 'spnas-lease-'));
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const backends: [string, () => ObjectStore][] = [
  ['local', () => openStore(join(dir, `run-${++n}`))],
  ['s3', () => openStore(`s3://${server.bucket}/run-${++n}`, { env: server.env, retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 100 } })],
];

/** A host whose monotonic clock stands still: its lease never looks stale to itself, so only the storage-side CAS can stop it. */
const frozenClock: LeaseClock = { now: () => Date.now(), monotonic: () => 0 };
const ckpt = (v: number) => ({ tensors: { w: { dtype: 'float32' as const, shape: [3], data: new Float32Array([v, v, v]) } }, state: { v } });
const snapshot = async (s: ObjectStore) => (await s.list('')).map((o) => `${o.key}:${o.size}`).join('\n');

for (const [name, mk] of backends) {
  describe(`run lease: ${name}`, () => {
    test('one holder at a time; the other gets a retryable LeaseHeldError naming owner and expiry; release hands over with the next generation', async () => {
      const store = mk();
      const a = await RunLease.acquire(store, { owner: 'wf-1/act-1/attempt-1', ttlMs: 5000 });
      assert.equal(a.generation, 1);
      await assert.rejects(RunLease.acquire(store, { owner: 'wf-1/act-1/attempt-2', ttlMs: 5000 }), (e: unknown) => {
        assert.ok(e instanceof LeaseHeldError && e.retryable && e.code === 'LEASE_HELD');
        assert.match(e.message, /leased by 'wf-1\/act-1\/attempt-1' \(generation 1\) until \d{4}-\d\d-\d\dT/);
        assert.equal(e.holder.expiresAt, a.expiresAt);
        return true;
      });
      // A waiting acquirer gets it as soon as the holder releases.
      const waiting = RunLease.acquire(store, { owner: 'wf-1/act-1/attempt-2', ttlMs: 5000, waitMs: 20_000, pollMs: 50 });
      await new Promise((r) => setTimeout(r, 200));
      await a.release();
      const b = await waiting;
      assert.equal(b.generation, 2);
      assert.equal((await readLeaseRecord(store))?.previousOwner, 'wf-1/act-1/attempt-1');
      await assert.rejects(a.fencedStore.put('x.json', '{}'), (e: unknown) => e instanceof LeaseLostError && /released/.test(e.message));
      await b.release();
      assert.equal((await readLeaseRecord(store))?.released, true);
    });

    test('of 8 concurrent acquirers exactly one wins; the others get LeaseHeldError', async () => {
      const store = mk();
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => RunLease.acquire(store, { owner: `racer-${i}`, ttlMs: 5000 })));
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      assert.equal(won.length, 1);
      assert.ok(results.every((r) => r.status === 'fulfilled' || r.reason instanceof LeaseHeldError));
      assert.equal((await readLeaseRecord(store))?.owner, won[0]!.owner);
      await won[0]!.release();
    });

    test('renewal keeps a live holder; an expired one is taken over only after expiry, and its fenced writes fail and change nothing', async () => {
      const store = mk();
      const live = await RunLease.acquire(store, { owner: 'live', ttlMs: 600 });
      await new Promise((r) => setTimeout(r, 1500)); // > 2 TTLs: only renewals keep it
      await assert.rejects(RunLease.acquire(store, { owner: 'other', ttlMs: 600 }), LeaseHeldError);
      await live.fencedStore.put('result.json', '{"by":"live"}');
      // Multi-object artifacts (exported models) publish through the fenced store unchanged.
      await publishArtifact(live.fencedStore, 'model', 'model', [{ path: 'weights.bin', data: new Uint8Array([1, 2, 3]) }], { by: 'live' });
      assert.deepEqual((await readArtifactManifest(store, 'model', 'model'))?.meta, { by: 'live' });
      await live.release();

      const stale = await RunLease.acquire(store, { owner: 'stale', ttlMs: 600, clock: frozenClock });
      const staleExpiry = Date.parse(stale.expiresAt);
      clearRenewals(stale);
      const next = await RunLease.acquire(store, { owner: 'next', ttlMs: 5000, waitMs: 10_000, pollMs: 50 });
      assert.ok(Date.parse((await readLeaseRecord(store))!.acquiredAt) >= staleExpiry, 'taken over only after the expiry');
      assert.equal(next.generation, stale.generation + 1);
      await next.fencedStore.put('result.json', '{"by":"next"}');
      const before = await snapshot(store);
      // The stale holder's own clock says it is fine; the compare-and-swap on the lease stops it.
      await assert.rejects(
        stale.fencedStore.put('result.json', '{"by":"stale"}'),
        (e: unknown) => e instanceof LeaseLostError && !e.retryable && /lost the lease .* held by 'next' \(generation 3\)/.test(e.message),
      );
      await assert.rejects(new CheckpointStore(stale.fencedStore, 'checkpoints').save(7, ckpt(7)), LeaseLostError);
      await assert.rejects(stale.fencedStore.delete('result.json'), LeaseLostError);
      await assert.rejects(
        publishArtifact(stale.fencedStore, 'model', 'model', [{ path: 'weights.bin', data: new Uint8Array([9]) }], { by: 'stale' }),
        LeaseLostError,
      );
      assert.ok(stale.signal.aborted);
      assert.equal(await snapshot(store), before, 'the stale writer wrote nothing');
      assert.equal(Buffer.from(await store.get('result.json')).toString(), '{"by":"next"}');
      await next.release();
    });

    test('a writer stopped between its lease CAS and its PUT cannot overwrite what the newer generation wrote', async () => {
      const store = mk();
      const stale = await RunLease.acquire(store, { owner: 'stale', ttlMs: 400, renewIntervalMs: 399, clock: frozenClock });
      clearRenewals(stale);
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      // The same store, except that a PUT waits at the gate: the process "stops" after its CAS.
      const gated = Object.assign(Object.create(store) as ObjectStore, {
        put: async (k: string, d: Uint8Array | string, o?: object) => {
          await gate;
          return store.put(k, d, o);
        },
      });
      const pending = new FencedStore(gated, stale).put('model/model.json', 'stale bytes');
      const next = await RunLease.acquire(store, { owner: 'next', ttlMs: 5000, waitMs: 10_000, pollMs: 50 });
      await next.fencedStore.put('model/model.json', 'new bytes');
      release();
      await assert.rejects(pending, (e: unknown) => e instanceof SpnasError && (e.code === 'PRECONDITION_FAILED' || e.code === 'LEASE_LOST'));
      assert.equal(Buffer.from(await store.get('model/model.json')).toString(), 'new bytes');
      await next.release();
    });

    test('checkpoints: committed through the lease, per-generation directories, a superseded save stays invisible and is not pruned by the successor', async () => {
      const store = mk();
      const g1 = await RunLease.acquire(store, { owner: 'g1', ttlMs: 5000 });
      const c1 = new CheckpointStore(g1.fencedStore, 'checkpoints', { keep: 2 });
      for (const s of [10, 20, 30]) await c1.save(s, ckpt(s));
      assert.deepEqual(await c1.steps(), [20, 30]);
      await assert.rejects(new CheckpointStore(store, 'checkpoints').save(40, ckpt(40)), (e: unknown) => (e as SpnasError).code === 'LEASED_RUN');
      await g1.release();

      // g2 is superseded mid-save: its tensors land, its commit fails.
      const g2 = await RunLease.acquire(store, { owner: 'g2', ttlMs: 400, renewIntervalMs: 399, clock: frozenClock });
      clearRenewals(g2);
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const gated = Object.assign(Object.create(store) as ObjectStore, {
        put: async (k: string, d: Uint8Array | string, o?: object) => {
          await gate;
          return store.put(k, d, o);
        },
      });
      const staleSave = new CheckpointStore(new FencedStore(gated, g2), 'checkpoints', { keep: 2 }).save(40, ckpt(40));
      const g3 = await RunLease.acquire(store, { owner: 'g3', ttlMs: 5000, waitMs: 10_000, pollMs: 50 });
      release();
      await assert.rejects(staleSave, LeaseLostError);
      assert.ok((await store.list('checkpoints/step-000000000040-g00000002/')).length > 0, 'the superseded save wrote into its own directory');

      const reader = new CheckpointStore(store, 'checkpoints'); // no lease needed to read
      assert.deepEqual(await reader.steps(), [20, 30], 'the uncommitted checkpoint is invisible');
      const c3 = new CheckpointStore(g3.fencedStore, 'checkpoints', { keep: 2 });
      assert.equal((await c3.latest())?.step, 30);
      await c3.save(40, ckpt(41));
      await c3.save(50, ckpt(50));
      assert.deepEqual(await reader.steps(), [40, 50]);
      const latest = await reader.latest();
      assert.equal(latest?.step, 50);
      assert.deepEqual([...latest!.tensors.w!.data], [50, 50, 50]);
      assert.deepEqual([...(await reader.load(40)).tensors.w!.data], [41, 41, 41], "step 40 is the successor's, not the stale one");
      assert.ok((await store.list('checkpoints/step-000000000040-g00000002/')).length > 0, "another generation's uncommitted directory is never pruned");
      assert.equal((await store.list('checkpoints/step-000000000010-')).length, 0, 'dropped checkpoints are deleted');
      await g3.release();
    });

    test('checkpoints written before the run was leased stay visible and are adopted by the first commit', async () => {
      const store = mk();
      const legacy = new CheckpointStore(store, 'ck', { keep: 2 });
      await legacy.save(1, ckpt(1));
      await legacy.save(2, ckpt(2));
      const lease = await RunLease.acquire(store, { owner: 'new', ttlMs: 5000 });
      const c = new CheckpointStore(lease.fencedStore, 'ck', { keep: 2 });
      assert.equal((await c.latest())?.step, 2);
      await c.save(3, ckpt(3));
      assert.deepEqual(await c.steps(), [2, 3]);
      assert.deepEqual(await new CheckpointStore(store, 'ck').steps(), [2, 3]);
      await lease.release();
    });

    test('claimRunInputs: records, resumes on identical inputs (any key order), refuses others naming the fields, allows declared mutable fields', async () => {
      const store = mk();
      const lease = await RunLease.acquire(store, { owner: 'claim', ttlMs: 5000 });
      const run = { kind: 'train', config: { epochs: 5, lr: 0.1 }, data: { uri: 'x', limit: 10 } };
      assert.equal((await claimRunInputs(lease.fencedStore, run, { what: 'training run' })).outcome, 'new');
      assert.equal(
        (await claimRunInputs(lease.fencedStore, { data: { limit: 10, uri: 'x' }, config: { lr: 0.1, epochs: 5 }, kind: 'train' }, { what: 'training run' }))
          .outcome,
        'resume',
      );
      await assert.rejects(
        claimRunInputs(lease.fencedStore, { ...run, config: { epochs: 9, lr: 0.2 } }, { what: 'training run' }),
        (e: unknown) =>
          (e as SpnasError).code === 'RUN_INPUTS_DIFFER' && /training run with other inputs \(config\.epochs, config\.lr differ/.test((e as Error).message),
      );
      await assert.rejects(
        claimRunInputs(lease.fencedStore, { ...run, config: { epochs: 9, lr: 0.2 } }, { what: 'training run', mutable: ['config.epochs'] }),
        /config\.lr differ/,
      );
      const r = await claimRunInputs(lease.fencedStore, { ...run, config: { epochs: 9, lr: 0.1 } }, { what: 'training run', mutable: ['config.epochs'] });
      assert.deepEqual(r, { outcome: 'updated', changed: ['config.epochs'] });
      assert.equal(JSON.parse(Buffer.from(await store.get('run.json')).toString()).config.epochs, 9);
      await lease.release();
    });
  });
}

test('a holder that cannot renew for a TTL stops writing (S3 server down), even after the server is back', async () => {
  const store = openStore(`s3://${server.bucket}/renew-fail`, { env: server.env, retry: { attempts: 1 } });
  const events: string[] = [];
  const lease = await RunLease.acquire(store, { owner: 'h', ttlMs: 900, onEvent: (e) => events.push(e.type) });
  await server.kill();
  await new Promise((r) => setTimeout(r, 1300));
  await server.start();
  assert.ok(lease.signal.aborted, 'the lease signal aborts');
  await assert.rejects(
    lease.fencedStore.put('late.json', '{}'),
    (e: unknown) => e instanceof LeaseLostError && /not renewed for \d+ ms .*last renewal error/.test(e.message),
  );
  assert.equal(await store.head('late.json'), null);
  assert.ok(events.includes('renew-failed') && events.includes('lost'), events.join(','));
});

test('an S3 server that ignores conditional writes is refused, or used in the documented best-effort mode', async () => {
  const weak = await startS3Server({ ignoreConditionalWrites: true });
  try {
    const store = openStore(`s3://${weak.bucket}/run`, { env: weak.env });
    await assert.rejects(
      RunLease.acquire(store, { owner: 'a' }),
      (e: unknown) => (e as SpnasError).code === 'LEASE_UNSUPPORTED' && /ignores conditional writes/.test((e as Error).message),
    );
    const a = await RunLease.acquire(store, { owner: 'a', ttlMs: 5000, conditionalWrites: 'best-effort' });
    await assert.rejects(RunLease.acquire(store, { owner: 'b', conditionalWrites: 'best-effort' }), LeaseHeldError);
    await a.fencedStore.put('x.json', '1');
    await a.release();
  } finally {
    await weak.stop();
  }
});

/** Stops a lease's background renewals (the timer is private): models a holder that stalls. */
function clearRenewals(lease: RunLease): void {
  clearInterval((lease as unknown as { timer: NodeJS.Timeout }).timer);
}
