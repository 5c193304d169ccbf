// What the README documents for a Temporal server of one's own, run exactly as written: its shell block
// (`spnas temporal setup`, `spnas worker &`, `spnas study validate`, `spnas study resolve ... >
// study.json`, `temporal workflow start ...`) in a sandbox laid out like a checkout beside
// ../shared/data, with `spnas` and `temporal` on PATH and TEMPORAL_ADDRESS naming the test server
// (the no-op engine: the commands and their wiring are under test, not training). Also: the
// worker's log line for a failed study carries the reason, and `spnas study validate` reports every
// problem of a spec at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StudySummary } from '../../src/study/records';
import { studyWorkflowId } from '../../src/study/names';
import { spnasBin } from '../../src/temporal/compute-process';
import { temporalBinary } from '../../src/temporal/dev-server';
import { CIFAR_DIR } from '../data/fixtures';
import { startTemporal, type TemporalFixture, waitFor } from '../support/temporal';

const ROOT = path.resolve(__dirname, '..', '..');
let t: TemporalFixture;
before(async () => {
  t = await startTemporal();
});
after(async () => t?.stop());

/** The lines of the first fenced block in `text` that contains `marker`, with `\` continuations joined. */
function block(text: string, marker: string): string[] {
  const b = [...text.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!).find((x) => x.includes(marker));
  assert.ok(b, `a block with '${marker}'`);
  return b
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

/** A checkout-like sandbox: repo/examples/study.json, shared/data/cifar10-jpeg, and bin/ with spnas and temporal. */
function sandbox(): { repo: string; env: NodeJS.ProcessEnv } {
  const base = fs.mkdtempSync(path.join(t.dir, 'sandbox-'));
  const repo = path.join(base, 'repo');
  fs.mkdirSync(path.join(repo, 'examples'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'examples', 'study.json'), path.join(repo, 'examples', 'study.json'));
  fs.mkdirSync(path.join(base, 'shared', 'data'), { recursive: true });
  fs.symlinkSync(CIFAR_DIR, path.join(base, 'shared', 'data', 'cifar10-jpeg'));
  const bin = path.join(base, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'spnas'), `#!/bin/sh\nexec "${process.execPath}" "${spnasBin()}" "$@"\n`, { mode: 0o755 });
  fs.symlinkSync(path.resolve(temporalBinary()), path.join(bin, 'temporal'));
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    TEMPORAL_ADDRESS: t.target.address,
    TEMPORAL_NAMESPACE: t.target.namespace,
    SPNAS_ENGINE: 'noop',
    SPNAS_METRICS_PORT: '0',
    SPNAS_HEALTH_PORT: '0',
  };
  return { repo, env };
}

function exec(cmd: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(cmd, args, { encoding: 'utf8', ...o }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    ),
  );
}

test(
  "the README's commands for a Temporal server of one's own run as written; a failed study's reason is in the worker's log",
  { timeout: 300_000 },
  async () => {
    const readme = block(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), 'temporal workflow start --type StudyWorkflow');
    assert.ok(readme.some((l) => l.startsWith('spnas study resolve examples/study.json > study.json')));
    // docs/orchestration.md documents the same commands
    const docs = block(fs.readFileSync(path.join(ROOT, 'docs', 'orchestration.md'), 'utf8'), 'temporal workflow start --type StudyWorkflow');
    const strip = (ls: string[]) => ls.map((l) => l.replace(/\s+#.*$/, '').trim());
    assert.deepEqual(strip(docs), strip(readme));

    const { repo, env } = sandbox();
    // the block as one shell script; its background worker stays in this process group until the end
    const sh = spawn('bash', ['-c', `set -e\n${readme.join('\n')}\n`], { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    for (const s of [sh.stdout, sh.stderr]) s.on('data', (c: Buffer) => (output += c.toString()));
    try {
      const code = await new Promise<number | null>((resolve) => sh.once('exit', resolve));
      assert.equal(code, 0, output);
      assert.match(output, /examples\/study\.json: ok \(study quickstart\)/);
      const resolved = JSON.parse(fs.readFileSync(path.join(repo, 'study.json'), 'utf8')) as { storage: string; data: { train: { uri: string } } };
      assert.equal(resolved.storage, path.join(repo, 'runs'));
      assert.equal(resolved.data.train.uri, path.join(path.dirname(repo), 'shared', 'data', 'cifar10-jpeg'));
      const result = await t.client.workflow.getHandle(studyWorkflowId('quickstart')).result();
      assert.equal(result.state, 'completed');
      const summary = JSON.parse(fs.readFileSync(path.join(repo, 'runs', 'studies', 'quickstart', 'summary.json'), 'utf8')) as StudySummary;
      const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'study.json'), 'utf8')) as { hpo: { trials: number } };
      assert.equal(summary.trialRecords.length, example.hpo.trials);

      // the spec as it is, relative paths and all: refused at once, and the worker says why
      const r = await exec(
        temporalBinary(),
        [
          'workflow',
          'start',
          '--type',
          'StudyWorkflow',
          '--task-queue',
          'spnas-orchestration',
          '--workflow-id',
          'spnas-study-relative',
          '--input-file',
          'examples/study.json',
        ],
        { cwd: repo, env },
      );
      assert.equal(r.code, 0, r.stderr);
      const line = await waitFor('the worker logging the failed study', 60_000, () =>
        output.split('\n').find((l) => /Workflow failed/.test(l) && /spnas-study-relative/.test(l)),
      );
      assert.match(line, /storage: an s3:\/\/ or file:\/\/\/ URI or an absolute path/);
      assert.match(line, /data\.train\.uri: '\.\.\/\.\.\/shared\/data\/cifar10-jpeg' is relative/);
    } finally {
      try {
        process.kill(-sh.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  },
);

test('`spnas study validate` checks a spec before anything starts and prints every problem', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(t.dir, 'validate-'));
  const spec = (over: Record<string, unknown>) => {
    const file = path.join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
    const data = { train: { uri: path.join(CIFAR_DIR, 'train-000000.tar'), limit: 320, valCount: 64 } };
    fs.writeFileSync(
      file,
      JSON.stringify({ name: 'v', storage: 'runs', space: 'cifar-tiny', data, budget: { batchSize: 32, final: { config: { epochs: 1 } } }, ...over }),
    );
    return file;
  };
  const good = await exec(process.execPath, [spnasBin(), 'study', 'validate', spec({})]);
  assert.equal(good.code, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /data\.train: 320 images, 10 classes; 256 for training, 64 held out/);
  // measured latency (the default): the target's unit is the largest network measured on the device at the study's start
  assert.match(good.stdout, /latencyTable: largest network [\d.]+ ms predicted; the target \(0\.7 of the largest network\) is resolved on the device/);
  assert.match(good.stdout, new RegExp(`artifacts: ${dir}/runs/studies/v`));
  assert.match(good.stdout, /: ok \(study v\)/);

  const bad = await exec(process.execPath, [
    spnasBin(),
    'study',
    'validate',
    spec({
      data: { train: { uri: 'no-such-shards', valCount: 10 }, test: { uri: path.join(CIFAR_DIR, 'train-000000.tar'), limit: 5 } },
      latencyTable: { uri: 'missing-table.json' },
      budget: {
        batchSize: 32,
        search: { bogusOption: 1 },
        final: { config: { epochs: 1 }, data: { uri: path.join(CIFAR_DIR, 'train-000000.tar'), limit: 40, valCount: 20 } },
      },
    }),
  ]);
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /4 problems:/);
  assert.match(bad.stdout, /hpo \(the NAS-hyperparameter space and a first trial\): .*bogusOption/s);
  assert.match(bad.stdout, new RegExp(`data\\.train ${dir}/no-such-shards: `));
  assert.match(bad.stdout, /budget\.final\.data .*40 images leave 20 for training after the 20 held out, fewer than a batch of 32/);
  assert.match(bad.stdout, new RegExp(`latencyTable: latency table ${dir}/missing-table\\.json does not exist`));
  // the test set's five images are enough (it is only evaluated): counted, not a problem
  assert.match(bad.stdout, /data\.test: 5 images/);

  const schema = await exec(process.execPath, [spnasBin(), 'study', 'validate', spec({ name: 'Not A Name', hpo: { trials: 0 } })]);
  assert.equal(schema.code, 1);
  assert.match(schema.stdout, /schema: .*name: lower-case letters.*hpo\.trials/s);
});
