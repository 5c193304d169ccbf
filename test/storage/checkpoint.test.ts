// Checkpoints on local disk and on a real S3-compatible server: round trip, retention, verification, crashes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore, openStore, type CheckpointData, type ObjectStore } from '../../src/storage';
import { CancelledError, DataError, InvalidInputError } from '../../src/errors';
import { startS3Server, type S3TestServer } from '../support/s3-server';

let dir = '';
let server: S3TestServer;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spnas-ckpt-'));
  server = await startS3Server();
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server?.stop();
});

function data(step: number): CheckpointData {
  const kernel = new Float32Array(3 * 3 * 4 * 8).map((_, i) => Math.sin(i + step));
  return {
    tensors: {
      'stem/conv/kernel': { dtype: 'float32', shape: [3, 3, 4, 8], data: kernel },
      'optimizer/iterations': { dtype: 'int32', shape: [], data: new Int32Array([step]) },
      empty: { dtype: 'float32', shape: [0, 4], data: new Float32Array(0) },
    },
    state: { epoch: Math.floor(step / 10), batch: step % 10, rng: [1, 2, 3], lr: 0.05 },
  };
}

/** Wraps a store so that `hook` runs after every successful put (to simulate crashes mid-save). */
function withPutHook(real: ObjectStore, hook: (key: string) => void): ObjectStore {
  return Object.assign(Object.create(real) as ObjectStore, {
    put: async (key: string, d: Uint8Array | string, o?: { signal?: AbortSignal }) => {
      const r = await real.put(key, d, o);
      hook(key);
      return r;
    },
  });
}

const backends: [string, () => string, () => Record<string, string>][] = [
  ['local', () => join(dir, 'local'), () => ({})],
  ['s3', () => `s3://${server.bucket}/ckpt`, () => server.env],
];

for (const [name, uri, env] of backends) {
  describe(`CheckpointStore on ${name}`, () => {
    test('save/load round trip; latest; keep the last K', async () => {
      const store = openStore(uri(), { env: env() });
      const ck = new CheckpointStore(store, 'run-a', { keep: 2 });
      assert.equal(await ck.latest(), null);
      for (const step of [10, 20, 30]) await ck.save(step, data(step));
      assert.deepEqual(await ck.steps(), [20, 30], 'step 10 pruned');
      const last = await ck.latest();
      assert.ok(last);
      assert.equal(last.step, 30);
      assert.deepEqual(last.state, data(30).state);
      assert.deepEqual(Object.keys(last.tensors).sort(), ['empty', 'optimizer/iterations', 'stem/conv/kernel']);
      const k = last.tensors['stem/conv/kernel']!;
      assert.equal(k.dtype, 'float32');
      assert.deepEqual(k.shape, [3, 3, 4, 8]);
      assert.deepEqual([...k.data], [...data(30).tensors['stem/conv/kernel']!.data]);
      assert.deepEqual(last.tensors['optimizer/iterations']!.shape, []);
      assert.ok(last.tensors['optimizer/iterations']!.data instanceof Int32Array);
      assert.equal((await ck.load(20)).step, 20);
      await assert.rejects(ck.load(10), (e) => e instanceof DataError && e.code === 'NOT_FOUND');
      assert.equal((await store.list('run-a/step-000000000010')).length, 0, 'pruned files are gone');
    });

    test('a save aborted after the tensors but before the manifest leaves the previous checkpoint', async () => {
      const ac = new AbortController();
      const store = withPutHook(openStore(uri(), { env: env() }), (key) => {
        if (key.includes('step-000000000002/t-')) ac.abort();
      });
      const ck = new CheckpointStore(store, 'run-b');
      await ck.save(1, data(1));
      await assert.rejects(ck.save(2, data(2), { signal: ac.signal }), CancelledError);
      assert.ok((await store.list('run-b/step-000000000002/')).length > 0, 'tensor files of step 2 exist');
      assert.equal((await ck.latest())?.step, 1);
      await ck.save(3, data(3));
      assert.deepEqual(await ck.steps(), [1, 3]);
      assert.equal((await store.list('run-b/step-000000000002/')).length, 0, 'crash leftovers pruned by the next save');
    });

    test('corrupt, tampered or hostile checkpoints are rejected on load and skipped by latest()', async () => {
      const store = openStore(uri(), { env: env() });
      const ck = new CheckpointStore(store, 'run-c', { keep: 5 });
      for (const s of [1, 2, 3, 4]) await ck.save(s, data(s));
      const k = 'run-c/step-000000000004/t-00000.bin';
      const bytes = await store.get(k);
      bytes[7] ^= 1;
      await store.put(k, bytes);
      await assert.rejects(ck.load(4), (e) => e instanceof DataError && /sha256/.test(e.message) && e.message.includes('t-00000.bin'));
      await store.put(
        'run-c/step-000000000003/manifest.json',
        '{"format":"spnas-artifact","version":1,"kind":"checkpoint","createdAt":"x","files":[{"path":"../../etc/passwd","size":1,"sha256":"' +
          '0'.repeat(64) +
          '"}],"meta":{}}',
      );
      await assert.rejects(ck.load(3), (e) => e instanceof DataError && e.code === 'CORRUPT_MANIFEST' && /files\.0\.path/.test(e.message));
      await store.put('run-c/step-000000000002/manifest.json', 'require("child_process").exec("touch /tmp/pwned")');
      await assert.rejects(ck.load(2), (e) => e instanceof DataError && /not JSON/.test(e.message));
      const skipped: string[] = [];
      assert.equal((await ck.latest({ skipped }))?.step, 1);
      assert.equal(skipped.length, 3);
    });

    test('bad inputs are InvalidInputError naming the tensor', async () => {
      const ck = new CheckpointStore(openStore(uri(), { env: env() }), 'run-d');
      await assert.rejects(
        ck.save(1, { tensors: { w: { dtype: 'float32', shape: [2, 3], data: new Float32Array(5) } }, state: {} }),
        (e) => e instanceof InvalidInputError && /'w'/.test(e.message),
      );
      await assert.rejects(ck.save(1, { tensors: { w: { dtype: 'int32', shape: [1], data: new Float32Array(1) } }, state: {} }), InvalidInputError);
      await assert.rejects(ck.save(-1, { tensors: {}, state: {} }), InvalidInputError);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await assert.rejects(ck.save(1, { tensors: {}, state: cyclic }), InvalidInputError);
      assert.throws(() => new CheckpointStore(openStore(uri()), 'x', { keep: 0 }), InvalidInputError);
    });
  });
}

test('a writer process killed (SIGKILL) mid-save on S3 leaves the previous checkpoint as latest', async () => {
  const uri = `s3://${server.bucket}/crash`;
  const ck = new CheckpointStore(openStore(uri, { env: server.env }), 'run');
  await ck.save(1, data(1));
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'crash-writer.ts'), uri, 'run', '2'], {
    env: { ...process.env, ...server.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  await new Promise<void>((res, rej) => {
    // A writer that never reports (hung upload, dead server) fails the test instead of hanging it.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`crash writer printed nothing within 120 s: ${stderr}`));
    }, 120_000);
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('tensors-written')) {
        clearTimeout(timer);
        res();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`crash writer exited early (${code}): ${stderr}`));
    });
  });
  const exited = new Promise((res) => child.once('exit', res));
  child.kill('SIGKILL');
  await exited;
  const files = await openStore(uri, { env: server.env }).list('run/step-000000000002/');
  assert.deepEqual(
    files.map((f) => f.key),
    ['run/step-000000000002/t-00000.bin', 'run/step-000000000002/t-00001.bin'],
    'the big multipart tensor was written',
  );
  assert.equal(files[1]!.size, 20_000_000);
  const latest = await ck.latest();
  assert.equal(latest?.step, 1);
  assert.deepEqual(latest?.state, data(1).state);
});
