// The layer rules of eslint.config.mjs hold in every layer: a file planted in each layer's folder with
// imports the layer may not make (a bare folder like `../src/k8s` among them) fails lint on exactly
// those lines, while the imports it may make pass. The planted files are removed afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '../..');
const PLANT = '__planted_layer_rule__.ts';

interface Plant {
  /** Folder of the layer (the file is planted there). */
  dir: string;
  forbidden: string[];
  allowed: string[];
}

const PLANTS: Plant[] = [
  { dir: 'src/hpo', forbidden: ['node:fs', '@tensorflow/tfjs', '../storage', '../async/retry', '../nas/supernet'], allowed: ['./space', '../errors'] },
  { dir: 'src/latency', forbidden: ['../profiler/profiler', '../nas/supernet', '../data'], allowed: ['./statistic', '../../data/latency/cifar.json'] },
  { dir: 'src/study', forbidden: ['../usecases/inputs', '@temporalio/workflow'], allowed: ['../hpo/sampler-catalog'] },
  { dir: 'src/report', forbidden: ['../storage', '../browser/bundle'], allowed: ['./escape'] },
  { dir: 'src/async', forbidden: ['../storage', 'node:fs'], allowed: ['../errors'] },
  { dir: 'src/backend', forbidden: ['../storage/object-store', '../nas'], allowed: ['./tf'] },
  { dir: 'src/storage', forbidden: ['../data', '../backend/tf', '@tensorflow/tfjs', '../k8s'], allowed: ['../async/retry', './uri'] },
  { dir: 'src/data', forbidden: ['../nas', '../backend/tf', '../usecases'], allowed: ['../storage'] },
  {
    dir: 'src/nas',
    forbidden: ['../data/source', '../profiler/profiler', '../usecases', '@temporalio/client', '../k8s'],
    allowed: ['../storage/checkpoint-store', '../latency/statistic'],
  },
  { dir: 'src/profiler', forbidden: ['../usecases/inputs', '../browser/bundle'], allowed: ['../nas/child-builder'] },
  {
    dir: 'src/usecases',
    forbidden: ['../cli/main', '../temporal/connection', '../k8s', '@temporalio/client'],
    allowed: ['../storage/json-store', '../nas/supernet'],
  },
  { dir: 'src/k8s', forbidden: ['@temporalio/worker', '../usecases', '../cli'], allowed: ['../async/retry', '../storage'] },
  { dir: 'src/browser', forbidden: ['../usecases', '../temporal/connection'], allowed: ['../profiler/profile-measure'] },
  { dir: 'src/browser/page', forbidden: ['node:fs', '../../storage', '../../profiler/profiler'], allowed: ['../../profiler/profile-measure'] },
  { dir: 'src/report/page', forbidden: ['../../browser/bundle', 'node:fs'], allowed: ['../view-model'] },
  { dir: 'src/temporal', forbidden: ['../cli/main', '../nas/supernet', '@tensorflow/tfjs', '../k8s'], allowed: ['../../activities', '@temporalio/client'] },
  {
    dir: 'activities',
    forbidden: ['../src/cli/main', '../src/temporal/connection', '../src/nas/supernet', '../workflows', '@tensorflow/tfjs'],
    allowed: ['../src/usecases', '@temporalio/activity', '../src/k8s'],
  },
  {
    dir: 'src/cli',
    forbidden: ['@temporalio/client', '../../activities', '../../workflows/definitions', '../k8s'],
    allowed: ['../temporal/client', '../usecases'],
  },
  {
    dir: 'workflows',
    forbidden: ['../src/k8s', '../src/storage', 'node:fs', '../src/temporal/connection', '@temporalio/client', '../src/async/retry'],
    allowed: ['@temporalio/workflow', '../src/study/spec', '../activities'],
  },
];

const source = (p: Pick<Plant, 'forbidden' | 'allowed'>) => [...p.forbidden, ...p.allowed].map((s) => `import '${s}';`).join('\n') + '\n';

/** Lines flagged by the layer rule, and any other problem (there should be none). */
function flagged(result: ESLint.LintResult): { lines: number[]; other: string[] } {
  const lines = result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.line);
  const other = result.messages.filter((m) => m.ruleId !== 'no-restricted-imports').map((m) => `${m.line}: ${m.message}`);
  return { lines, other };
}

const expected = (p: Pick<Plant, 'forbidden'>) => p.forbidden.map((_, i) => i + 1);

test('an import a layer may not make fails lint in every layer; the ones it may make pass', { timeout: 600_000 }, async () => {
  const files = PLANTS.map((p) => path.join(root, p.dir, PLANT));
  const cleanup = () => files.forEach((f) => fs.rmSync(f, { force: true }));
  process.once('exit', cleanup);
  try {
    PLANTS.forEach((p, i) => fs.writeFileSync(files[i]!, source(p)));
    const results = await new ESLint({ cwd: root }).lintFiles(files);
    for (const [i, p] of PLANTS.entries()) {
      const r = results.find((x) => x.filePath === files[i])!;
      const { lines, other } = flagged(r);
      assert.deepEqual(other, [], `${p.dir}: only the layer rule reports`);
      assert.deepEqual(lines, expected(p), `${p.dir}: flagged lines (the forbidden imports are lines ${expected(p).join(', ')}: ${p.forbidden.join(', ')})`);
    }
  } finally {
    cleanup();
  }
  for (const f of files) assert.ok(!fs.existsSync(f), `${f} removed`);
});

test('the package entry (src/index.ts) may export only the pure core', { timeout: 300_000 }, async () => {
  const plant = { forbidden: ['./nas/supernet', '@tensorflow/tfjs', './storage', 'node:fs'], allowed: ['./errors', './hpo'] };
  const [r] = await new ESLint({ cwd: root }).lintText(source(plant), { filePath: path.join(root, 'src/index.ts') });
  const { lines, other } = flagged(r!);
  assert.deepEqual(other, []);
  assert.deepEqual(lines, expected(plant));
});
