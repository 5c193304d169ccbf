// Two writer processes (test/storage/lease-worker.ts) on one run directory, on local disk and on S3
// (gofakes3): the second waits or fails retryably; a SIGKILLed holder is taken over only after its
// lease expires; a SIGSTOPped holder that resumes after the takeover fails and changes nothing visible.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CheckpointStore, openStore, readLeaseRecord, type ObjectStore } from '../../src/storage';
import { startS3Server, type S3TestServer } from '../support/s3-server';

const WORKER = resolve(__dirname, 'lease-worker.ts');
const TTL = 1500;
let server: S3TestServer;
let dir: string;
let n = 0;
const children = new Set<ChildProcess>();
before(async () => {
  server = await startS3Server();
  dir = mkdtempSync(join(tmpdir(), 'spnas-lease-proc-'));
});
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Event {
  event: string;
  [k: string]: unknown;
}
interface Worker {
  owner: string;
  events: Event[];
  next(event: string, timeoutMs?: number): Promise<Event>;
  send(line: string): void;
  exit: Promise<number | null>;
  proc: ChildProcess;
}

function startWorker(uri: string, env: Record<string, string>, cfg: { owner: string; waitMs: number; saves: number; loop?: boolean }): Worker {
  const proc = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify({ uri, ttlMs: TTL, ...cfg })], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(proc);
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const events: Event[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    events.push(JSON.parse(l) as Event);
    waiters.splice(0).forEach((w) => w());
  });
  const exit = new Promise<number | null>((res) =>
    proc.on('exit', (code) => {
      children.delete(proc);
      res(code);
      waiters.splice(0).forEach((w) => w());
    }),
  );
  let seen = 0; // events consumed by next()
  return {
    owner: cfg.owner,
    events,
    proc,
    exit,
    send: (line) => proc.stdin!.write(line + '\n'),
    async next(event, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = events.findIndex((e, k) => k >= seen && e.event === event);
        if (i >= 0) {
          seen = i + 1;
          return events[i]!;
        }
        const err = events.find((e, k) => k >= seen && e.event === 'error');
        if (err && event !== 'error') throw new Error(`${cfg.owner}: expected '${event}', got ${JSON.stringify(err)}`);
        if (proc.exitCode !== null || Date.now() > deadline)
          throw new Error(`${cfg.owner}: no '${event}' (events ${JSON.stringify(events)}; stderr ${stderr})`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
  };
}

/** sha256 of every object except the lease's own (which the holder keeps renewing). */
async function contents(store: ObjectStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const o of await store.list('')) {
    if (/^lease(\.json|\.probe|\/)/.test(o.key)) continue;
    out.set(
      o.key,
      createHash('sha256')
        .update(await store.get(o.key))
        .digest('hex'),
    );
  }
  return out;
}

const backends: [string, () => { uri: string; env: Record<string, string>; store: ObjectStore }][] = [
  [
    'local',
    () => {
      const uri = join(dir, `run-${++n}`);
      return { uri, env: {}, store: openStore(uri) };
    },
  ],
  [
    's3',
    () => {
      const uri = `s3://${server.bucket}/proc-${++n}`;
      return { uri, env: server.env, store: openStore(uri, { env: server.env }) };
    },
  ],
];

for (const [name, mk] of backends) {
  describe(`two writer processes: ${name}`, { timeout: 120_000 }, () => {
    test('the second fails retryably while the first holds; a waiting one takes over when the first releases', async () => {
      const { uri, env } = mk();
      const a = startWorker(uri, env, { owner: 'wf/act/attempt-1', waitMs: 0, saves: 1 });
      assert.equal((await a.next('acquired')).generation, 1);
      await a.next('idle');
      const b = startWorker(uri, env, { owner: 'wf/act/attempt-2', waitMs: 0, saves: 1 });
      const err = await b.next('error');
      assert.equal(err.code, 'LEASE_HELD');
      assert.equal(err.retryable, true);
      assert.match(String(err.message), /leased by 'wf\/act\/attempt-1' \(generation 1\) until /);
      assert.equal(await b.exit, 3);

      const c = startWorker(uri, env, { owner: 'wf/act/attempt-3', waitMs: 30_000, saves: 1 });
      a.send('release');
      assert.equal(await a.exit, 0);
      assert.equal((await c.next('acquired')).generation, 2);
      assert.equal((await c.next('resumed')).step, 1, "resumes from the first writer's checkpoint");
      await c.next('idle');
      c.send('release');
      assert.equal(await c.exit, 0);
    });

    test('a SIGKILLed holder leaves a lease that the next writer takes over only after it expires', async () => {
      const { uri, env, store } = mk();
      const a = startWorker(uri, env, { owner: 'killed', waitMs: 0, saves: 2 });
      await a.next('idle');
      a.proc.kill('SIGKILL');
      await a.exit;
      const left = (await readLeaseRecord(store))!;
      assert.equal(left.owner, 'killed');
      assert.equal(left.released, false);
      const b = startWorker(uri, env, { owner: 'successor', waitMs: 30_000, saves: 1 });
      assert.equal((await b.next('acquired')).generation, 2);
      const rec = (await readLeaseRecord(store))!;
      assert.ok(Date.parse(rec.acquiredAt) > Date.parse(left.expiresAt), `taken over at ${rec.acquiredAt}, after the expiry ${left.expiresAt}`);
      assert.equal(rec.previousOwner, 'killed');
      assert.equal((await b.next('resumed')).step, 2);
      await b.next('idle');
      b.send('release');
      assert.equal(await b.exit, 0);
    });

    test("a SIGSTOPped holder that resumes after a takeover fails on its next write and changes nothing visible; the successor's checkpoints are intact and the latest", async () => {
      const { uri, env, store } = mk();
      const a = startWorker(uri, env, { owner: 'paused', waitMs: 0, saves: 0, loop: true });
      await a.next('saved');
      await a.next('saved');
      a.proc.kill('SIGSTOP');
      const b = startWorker(uri, env, { owner: 'successor', waitMs: 30_000, saves: 2 });
      assert.equal((await b.next('acquired')).generation, 2);
      const from = Number((await b.next('resumed')).step);
      assert.ok(from >= 2);
      await b.next('idle');
      const reader = new CheckpointStore(store, 'checkpoints');
      const visibleBefore = await reader.steps();
      const before = await contents(store);

      a.proc.kill('SIGCONT');
      const err = await a.next('error');
      assert.equal(err.code, 'LEASE_LOST');
      assert.equal(err.retryable, false);
      assert.equal(await a.exit, 3);
      assert.ok(!a.events.some((e) => e.event === 'saved' && Number(e.step) > from), 'no save of the stale writer completed after the takeover');

      // Only the one request in flight when it was stopped can still complete: a write into its own
      // generation's directory, or the delete of a directory its last commit dropped. Neither is
      // named by a commit; every visible object is byte-identical.
      const after = await contents(store);
      const committed = new Set((await readLeaseRecord(store))!.committed['checkpoints']);
      const visible = (k: string) => !k.startsWith('checkpoints/') || committed.has(k.split('/')[1]!);
      const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
      assert.deepEqual(changed.filter(visible), [], 'visible objects unchanged');
      assert.ok(
        changed.every((k) => /^checkpoints\/step-\d{12}-g00000001\//.test(k)),
        `only the stale generation's own objects changed: ${changed.join(', ')}`,
      );
      assert.ok([...before.keys()].filter(visible).length > 0);
      assert.deepEqual(await reader.steps(), visibleBefore);

      b.send('save 1');
      await b.next('idle');
      b.send('release');
      assert.equal(await b.exit, 0);
      const latest = (await reader.latest())!;
      assert.equal(latest.step, from + 3);
      assert.deepEqual(latest.state, { owner: 'successor', step: from + 3 });
      assert.ok(latest.uri.endsWith(`step-${String(from + 3).padStart(12, '0')}-g00000002`));
      for (const s of await reader.steps()) {
        const c = await reader.load(s); // verifies sizes and sha256
        assert.equal(c.tensors.w!.data[0], s * 1000 + (s > from ? 2 : 1));
      }
    });
  });
}
