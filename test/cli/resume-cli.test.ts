/**
 * Crash and rerun through the real CLI: a search and a retraining killed with SIGKILL (no handler
 * runs, no checkpoint at the kill) resume on rerun from their last periodic checkpoint and end
 * bit-identical to an uninterrupted run; a rerun with changed options is refused, naming the run
 * directory and the input that changed, and leaves the directory as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CheckpointStore } from '../../src/storage/checkpoint-store';
import { LocalStore } from '../../src/storage/local-store';
import { CIFAR_DIR } from '../data/fixtures';
import { assertBitIdentical, checkpointTensors } from '../support/bit-identical';
import { jsonOut, spnas, startSpnas, waitWhileRunning } from '../support/run-cli';

const SHARD = path.join(CIFAR_DIR, 'train-000000.tar');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-resume-cli-'));
const EVERY = 4;
const config = path.join(root, 'config.json');
fs.writeFileSync(config, JSON.stringify({ checkpointEvery: EVERY }));
// 256 training images at batch 32: 8 steps an epoch.
const data = ['--data', SHARD, '--limit', '320', '--val-count', '64', '--batch-size', '32'];
const searchArgs = (out: string) => [
  'search',
  '--space',
  'cifar-tiny',
  ...data,
  '--epochs',
  '3',
  '--warmup-epochs',
  '1',
  '--lambda',
  '2',
  '--config',
  config,
  '--out',
  out,
  '--json',
];
const trainArgs = (out: string) => [
  'train',
  '--arch',
  path.join(root, 'search-a'),
  '--epochs',
  '2',
  '--batch-size',
  '32',
  '--config',
  config,
  '--out',
  out,
  '--json',
];

/** Step of the newest visible checkpoint under <dir>/checkpoints (committed in the run's lease: what a rerun finds). */
const latestStep = async (dir: string) => (await new CheckpointStore(new LocalStore(dir), 'checkpoints').latest())?.step;

/** Starts `args`, SIGKILLs the process as soon as its first periodic checkpoint is complete, returns that run's newest checkpoint step. */
async function killAfterFirstCheckpoint(args: string[], dir: string, totalSteps: number): Promise<number> {
  const run = startSpnas(args);
  await waitWhileRunning(run, 'the first periodic checkpoint', async () => (fs.existsSync(dir) ? await latestStep(dir).catch(() => undefined) : undefined));
  run.child.kill('SIGKILL');
  const r = await run.done;
  assert.equal(r.signal, 'SIGKILL', `killed mid-run, not finished first:\n${r.stderr}`);
  const step = await latestStep(dir);
  assert.ok(step !== undefined && step % EVERY === 0 && step >= EVERY && step < totalSteps, `a periodic checkpoint survives the kill (step ${step})`);
  return step!;
}

/** Refused rerun: names the directory and the changed input; run.json untouched. */
function refusedRerun(args: string[], dir: string, changed: RegExp): void {
  const before = fs.readFileSync(path.join(dir, 'run.json'), 'utf8');
  const r = spnas(args);
  assert.notEqual(r.code, 0, 'a rerun with other options is refused');
  assert.ok(r.stderr.includes(`file://${dir}`), `names the run directory: ${r.stderr}`);
  assert.match(r.stderr, changed);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'a clear message, not a stack trace');
  assert.equal(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'), before, 'the run directory is left as it was');
}

test('search killed with SIGKILL resumes on rerun from its last periodic checkpoint, bit-identical to an uninterrupted run', async () => {
  const [a, b] = [path.join(root, 'search-a'), path.join(root, 'search-b')];
  const full = spnas(searchArgs(a));
  assert.equal(full.code, 0, full.stderr);
  const want = jsonOut(full);
  assert.equal(want.steps, 24);

  const killedAt = await killAfterFirstCheckpoint(searchArgs(b), b, 24);
  const rerun = spnas(searchArgs(b));
  assert.equal(rerun.code, 0, rerun.stderr);
  const got = jsonOut(rerun);
  assert.equal(got.resumedFromStep, killedAt);
  assert.equal(got.architecture, want.architecture);
  assert.equal(got.predictedMs, want.predictedMs);
  assert.equal(got.supernetTop1, want.supernetTop1);
  const [ca, cb] = [await new CheckpointStore(new LocalStore(a), 'checkpoints').latest(), await new CheckpointStore(new LocalStore(b), 'checkpoints').latest()];
  assert.equal(cb!.step, 24);
  assertBitIdentical(checkpointTensors(ca!.tensors), checkpointTensors(cb!.tensors), `search killed after step ${killedAt} and rerun`);

  // (More epochs would continue the run: epochs may grow, e.g. for a promoted trial.)
  const other = searchArgs(b);
  other[other.indexOf('--lambda') + 1] = '3';
  refusedRerun(other, b, /\(config\.runtimeLoss\.lambda differ;/);
});

test('training killed with SIGKILL resumes on rerun; the exported weights are bit-identical to an uninterrupted run', async () => {
  const [a, b] = [path.join(root, 'train-a'), path.join(root, 'train-b')];
  const full = spnas(trainArgs(a));
  assert.equal(full.code, 0, full.stderr);
  const want = jsonOut(full);
  assert.equal(want.steps, 16);

  const killedAt = await killAfterFirstCheckpoint(trainArgs(b), b, 16);
  const rerun = spnas(trainArgs(b));
  assert.equal(rerun.code, 0, rerun.stderr);
  const got = jsonOut(rerun);
  assert.equal(got.resumedFromStep, killedAt);
  assert.equal(got.valTop1, want.valTop1);
  const shard = (dir: string) => fs.readFileSync(path.join(dir, 'model', 'group1-shard1of1.bin'));
  assert.ok(shard(b).equals(shard(a)), 'exported weights are bit-identical');

  // A rerun of the finished run resumes at its end: nothing is retrained, the same model is exported.
  const again = jsonOut(spnas(trainArgs(b)));
  assert.equal(again.resumedFromStep, 16);
  assert.ok(shard(b).equals(shard(a)));

  refusedRerun([...trainArgs(b), '--lr', '0.05'], b, /\(config\.optimizer\.lrPer256 differ;/);
});

test.after(() => fs.rmSync(root, { recursive: true, force: true }));
