import { test } from 'node:test';
import assert from 'node:assert/strict';
import { limitFlips } from '../../src/nas/flip-limit';

const on = (n: number, t: number) => n - t >= 0;

test('limitFlips: of three thresholds crossing their norms in one update, only the earliest crossing flips', () => {
  const norms = [1.0, 1.0, 1.0, 1.0];
  const before = [0.9, 0.95, 0.8, 0.5];
  // all move up by 0.3: thresholds 0, 1, 2 cross (at 1/3, 1/6 and 2/3 of their step), 3 does not
  const after = before.map((t) => t + 0.3);
  const out = limitFlips(before, after, norms, 1);
  assert.deepEqual(
    out.map((t, i) => on(norms[i]!, t)),
    [true, false, true, true],
    JSON.stringify(out),
  );
  assert.equal(out[1], after[1]); // the earliest crossing takes its whole step
  assert.equal(out[3], after[3]); // no crossing: untouched
  // the held ones keep their value for this step
  assert.deepEqual([out[0], out[2]], [before[0], before[2]]);
});

test('limitFlips: within the limit nothing changes; flips back on count too; ties go by position', () => {
  const norms = [1, 1, 1];
  assert.deepEqual(limitFlips([0.9, 0.5, 0.2], [1.1, 0.6, 0.3], norms, 1), [1.1, 0.6, 0.3]);
  // two crossings in opposite directions (off -> on and on -> off), limit 1: the earlier one wins
  const out = limitFlips([1.2, 0.9], [0.7, 1.05], norms, 1);
  assert.equal(on(1, out[0]!), true); // crossed at 0.4 of its step
  assert.equal(on(1, out[1]!), true); // would cross at 0.67: held
  // equal crossing points: the first position flips
  const tie = limitFlips([0.9, 0.9], [1.1, 1.1], norms, 1);
  assert.deepEqual(
    tie.map((t) => on(1, t)),
    [false, true],
  );
  // a limit of 2 lets both flip
  assert.deepEqual(limitFlips([0.9, 0.9], [1.1, 1.1], norms, 2), [1.1, 1.1]);
});
