// The proposal activity reads only the spec's `hpo` section; a proposal scheduled by an older
// workflow (the whole spec in its input) still proposes the same trials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseStudySpec } from '../../src/study/spec';
import { proposeTrials } from '../../src/usecases/propose-trials';
import { tempDir } from '../support/temp-dir';

test('a proposal from `hpo` alone equals one from a whole spec (older workflows) and writes the same sampler state', async () => {
  const spec = parseStudySpec({
    name: 'p',
    storage: '/tmp/x',
    space: 'cifar-tiny',
    data: { train: { uri: '/d', valCount: 10 } },
    hpo: { sampler: 'gp', seed: 5, trials: 6 },
  });
  const a = await proposeTrials({ hpo: spec.hpo, studyRoot: tempDir('spnas-propose-'), samplerState: null, proposal: 0, tells: [], n: 3 });
  const b = await proposeTrials({ spec, studyRoot: tempDir('spnas-propose-'), samplerState: null, proposal: 0, tells: [], n: 3 });
  assert.deepEqual(a.trials, b.trials);
  assert.equal(a.trials.length, 3);
  assert.equal(readFileSync(a.samplerState, 'utf8'), readFileSync(b.samplerState, 'utf8'));
});
