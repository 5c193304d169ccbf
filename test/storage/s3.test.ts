// S3 backend against a real S3-compatible server (gofakes3): multipart, restarts, credential and bucket errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { openStore, S3Store, s3SettingsFromEnv } from '../../src/storage';
import { CancelledError, InvalidInputError, TransientError } from '../../src/errors';
import { freePort, startS3Server, type S3TestServer } from '../support/s3-server';

const MiB = 1024 * 1024;
let server: S3TestServer;
before(async () => {
  server = await startS3Server();
});
after(async () => {
  await server?.stop();
});

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function collect(it: AsyncIterable<Uint8Array>, onChunk?: (n: number) => Promise<void>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of it) {
    parts.push(c);
    await onChunk?.(parts.length);
  }
  return Buffer.concat(parts);
}

test('multipart round trips (5 MiB parts) for bytes and streams; sha256 recorded in metadata', async () => {
  const s = openStore(`s3://${server.bucket}/mp`, { env: server.env, multipartThreshold: 5 * MiB, partSize: 5 * MiB }) as S3Store;
  const big = pattern(12 * MiB + 123, 1);
  // gofakes3 returns plain ETags for multipart objects, so observe the commands the client sends.
  const sent: string[] = [];
  s.client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'testRecorder' },
  );
  const r = await s.put('big.bin', big);
  assert.equal(r.sha256, sha(big));
  assert.deepEqual(sent, ['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']);
  assert.equal((await s.head('big.bin'))?.sha256, sha(big));
  assert.equal(sha(await s.get('big.bin')), sha(big));

  async function* gen() {
    for (let o = 0; o < big.length; o += 1_000_000) yield big.subarray(o, o + 1_000_000);
  }
  sent.length = 0;
  const rs = await s.putStream('big-stream.bin', gen());
  assert.equal(sent.filter((c) => c === 'UploadPartCommand').length, 3);
  assert.equal(rs.size, big.length);
  assert.equal(rs.sha256, sha(big));
  assert.equal(sha(await collect(s.getStream('big-stream.bin'))), sha(big));
});

test('a server restart is retried transparently (request and mid-stream)', async () => {
  const retries: string[] = [];
  const s = openStore(`s3://${server.bucket}/restart`, {
    env: server.env,
    retry: { attempts: 10, baseDelayMs: 100, maxDelayMs: 400, onRetry: (i) => retries.push(i.error.code) },
  });
  await s.put('x.txt', 'survives');
  await server.kill();
  const pending = s.get('x.txt');
  setTimeout(() => void server.start(), 600);
  assert.equal(Buffer.from(await pending).toString(), 'survives');
  assert.ok(retries.length >= 1 && retries.every((c) => c === 'S3_TRANSIENT'), `retried transient faults: ${retries}`);

  // Mid-stream: kill the server after the first chunk; the stream resumes at its byte offset.
  const big = pattern(24 * MiB, 2);
  await s.put('stream.bin', big);
  retries.length = 0;
  const got = await collect(s.getStream('stream.bin'), async (n) => {
    if (n !== 1) return;
    await server.kill();
    setTimeout(() => void server.start(), 300);
  });
  assert.ok(retries.length >= 1, 'the kill interrupted the stream and it was resumed');
  assert.equal(got.length, big.length);
  assert.equal(sha(got), sha(big), 'resumed stream delivers identical bytes');
});

test('bad credentials: a clear non-retryable error naming the bucket and the variables to check', async () => {
  const gated = await startS3Server({ requireAccessKeyId: 'good-key', bucket: 'gated-bucket' });
  try {
    const ok = openStore(`s3://gated-bucket/p`, { env: gated.env });
    await ok.put('a', 'a');
    const retries: unknown[] = [];
    const bad = openStore(`s3://gated-bucket/p`, { env: { ...gated.env, AWS_ACCESS_KEY_ID: 'wrong-key' }, retry: { onRetry: (i) => retries.push(i) } });
    await assert.rejects(bad.get('a'), (e) => {
      assert.ok(e instanceof InvalidInputError, String(e));
      assert.equal(e.code, 'S3_ACCESS_DENIED');
      assert.match(e.message, /gated-bucket/);
      assert.match(e.message, /AWS_ACCESS_KEY_ID/);
      assert.match(e.message, /InvalidAccessKeyId/);
      assert.doesNotMatch(e.message, /spnas-test-secret/, 'never print the secret');
      return true;
    });
    assert.equal(retries.length, 0, 'credential errors are not retried');
  } finally {
    await gated.stop();
  }
});

test('a missing bucket is named; an unreachable endpoint gives up with a TransientError naming it', async () => {
  const s = openStore('s3://no-such-bucket-42/p', { env: server.env });
  await assert.rejects(s.get('k'), (e) => e instanceof InvalidInputError && e.code === 'S3_NO_SUCH_BUCKET' && e.message.includes("'no-such-bucket-42'"));
  const port = await freePort();
  const down = openStore('s3://far-bucket/p', {
    env: { ...server.env, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}` },
    retry: { attempts: 3, baseDelayMs: 20 },
  });
  await assert.rejects(down.put('k', 'v'), (e) => {
    assert.ok(e instanceof TransientError, String(e));
    assert.match(e.message, /far-bucket/);
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(e.message, /ECONNREFUSED/);
    assert.match(e.message, /gave up after 3 attempts/);
    return true;
  });
});

test('cancelling during a retry wait stops at once with CancelledError', async () => {
  const port = await freePort();
  const down = openStore('s3://far-bucket/p', {
    env: { ...server.env, AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}` },
    retry: { attempts: 50, baseDelayMs: 1000 },
  });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 200);
  const t0 = Date.now();
  await assert.rejects(down.get('k', { signal: ac.signal }), CancelledError);
  assert.ok(Date.now() - t0 < 2000);
});

test('settings come from the AWS environment plus SPNAS_S3_FORCE_PATH_STYLE', () => {
  assert.deepEqual(s3SettingsFromEnv({ AWS_ENDPOINT_URL: 'http://minio:9000' }), {
    endpoint: 'http://minio:9000',
    region: 'us-east-1',
    forcePathStyle: true,
    nonAws: true,
  });
  const aws = s3SettingsFromEnv({ AWS_REGION: 'eu-west-1' });
  assert.equal(aws.forcePathStyle, false);
  assert.equal(aws.nonAws, false);
  assert.equal(s3SettingsFromEnv({ AWS_ENDPOINT_URL_S3: 'http://a:1', AWS_ENDPOINT_URL: 'http://b:2', SPNAS_S3_FORCE_PATH_STYLE: 'no' }).forcePathStyle, false);
  assert.equal(s3SettingsFromEnv({ AWS_ENDPOINT_URL_S3: 'http://a:1' }).endpoint, 'http://a:1');
  assert.throws(() => s3SettingsFromEnv({ SPNAS_S3_FORCE_PATH_STYLE: 'maybe' }), InvalidInputError);
  assert.throws(() => openStore('gs://bucket/x'), InvalidInputError);
  assert.throws(() => openStore('s3://Bad_Bucket/x'), InvalidInputError);
});
