// docs/study-spec.schema.json is what `spnas study schema` prints (editors validate spec files with it),
// and the example study the README runs is a valid spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInputError } from '../../src/errors';
import { parseStudySpec, studySpecJsonSchema } from '../../src/study/spec';
import { readStudySpecFile } from '../../src/cli/study-spec-file';

const ROOT = path.join(__dirname, '..', '..');

test('docs/study-spec.schema.json is current (regenerate: spnas study schema --out docs/study-spec.schema.json)', () => {
  const checkedIn = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'study-spec.schema.json'), 'utf8'));
  assert.deepEqual(checkedIn, JSON.parse(JSON.stringify(studySpecJsonSchema())));
});

test('examples/study.json parses; its relative paths resolve against its own directory', () => {
  const spec = readStudySpecFile(path.join(ROOT, 'examples', 'study.json'));
  assert.equal(spec.storage, path.join(ROOT, 'runs'));
  assert.equal(spec.data.train.uri, path.resolve(ROOT, '..', 'shared', 'data', 'cifar10-jpeg'));
  // the final retraining reads its own (larger) slice of the same data
  assert.equal(spec.budget.final.data?.uri, spec.data.train.uri);
  assert.equal(spec.budget.final.recipe, 'fast');
  assert.ok(!('$schema' in spec), 'the editor-only $schema key does not reach the workflow input');
});

const minimal = { name: 's', storage: '/tmp/x', space: 'cifar-tiny', data: { train: { uri: '/tmp/d', valCount: 100 } } };
const withBudget = (budget: Record<string, unknown>) => parseStudySpec({ ...minimal, budget });

test('the final retraining names its recipe; configs are checked when the spec is, naming the field', () => {
  const s = withBudget({ final: { recipe: 'fast', config: { epochs: 2 } } });
  assert.equal(s.budget.final.recipe, 'fast');
  assert.equal(withBudget({}).budget.final.recipe, undefined);
  assert.throws(
    () => withBudget({ final: { recipe: 'fastest' } }),
    (e: unknown) => e instanceof InvalidInputError && /budget\.final\.recipe/.test(e.message) && /fast/.test(e.message),
  );
  // a bad config would otherwise surface only when the final phase reaches it, hours later
  assert.throws(
    () => withBudget({ final: { recipe: 'fast', config: { epochs: -1 } } }),
    (e: unknown) => e instanceof InvalidInputError && /budget\.final\.config/.test(e.message) && /epochs/.test(e.message),
  );
  assert.throws(
    () => withBudget({ retrain: { labelSmoothin: 0.1 } }),
    (e: unknown) => e instanceof InvalidInputError && /budget\.retrain/.test(e.message) && /labelSmoothin/.test(e.message),
  );
});

test('a relative data or table path is refused, naming the field and the fix (a worker would resolve it against its own folder)', () => {
  assert.throws(
    () => parseStudySpec({ ...minimal, data: { train: { uri: 'shards', valCount: 10 }, test: { uri: '../test' } }, latencyTable: { uri: 'table.json' } }),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      /data\.train\.uri: 'shards' is relative/.test(e.message) &&
      /data\.test\.uri: '\.\.\/test' is relative/.test(e.message) &&
      /latencyTable\.uri: 'table\.json' is relative/.test(e.message) &&
      /spnas study resolve/.test(e.message),
  );
  assert.equal(parseStudySpec({ ...minimal, data: { train: { uri: 's3://bucket/shards', valCount: 10 } } }).data.train.uri, 's3://bucket/shards');
  assert.equal(parseStudySpec({ ...minimal, data: { train: { uri: 'file:///d/shards', valCount: 10 } } }).data.train.uri, 'file:///d/shards');
});
