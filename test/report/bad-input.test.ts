// Bad input to `spnas report` is refused with an InvalidInputError naming the input, before anything is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InvalidInputError } from '../../src/errors';
import { reportStudy } from '../../src/usecases/report-study';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'report-study');

function refuses(err: unknown, ...mentions: string[]): boolean {
  assert.ok(err instanceof InvalidInputError, `an InvalidInputError, got ${String(err)}`);
  for (const m of mentions) assert.ok(err.message.includes(m), `'${err.message}' names ${m}`);
  return true;
}

test('a missing study root, a directory that is no study, and a malformed overlay are refused naming the input; nothing is written', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-report-bad-'));
  try {
    const out = path.join(dir, 'out', 'report.html');
    const missing = path.join(dir, 'no-such-study');
    await assert.rejects(reportStudy({ study: missing, out }), (e) => refuses(e, missing, 'does not exist'));
    const notStudy = path.join(dir, 'not-a-study');
    fs.mkdirSync(notStudy);
    fs.writeFileSync(path.join(notStudy, 'notes.txt'), 'hello');
    await assert.rejects(reportStudy({ study: notStudy, out }), (e) => refuses(e, notStudy, 'not a study root'));
    // a summary.json that is some other JSON
    fs.writeFileSync(path.join(notStudy, 'summary.json'), '{"hello": 1}');
    await assert.rejects(reportStudy({ study: notStudy, out }), (e) => refuses(e, 'summary.json', 'not a study summary'));
    const overlay = path.join(dir, 'svr.jsonl');
    const good = fs.readFileSync(path.join(FIXTURE, 'searched-vs-random.jsonl'), 'utf8').trim().split('\n');
    fs.writeFileSync(overlay, [good[0], good[1], '{"type":"train","frac":"0.7"}', ...good.slice(2)].join('\n'));
    await assert.rejects(reportStudy({ study: FIXTURE, out, overlay }), (e) => refuses(e, `${overlay} line 3`));
    await assert.rejects(reportStudy({ study: FIXTURE, out, overlay: path.join(dir, 'nope.jsonl') }), (e) => refuses(e, 'nope.jsonl', 'cannot be read'));
    assert.equal(fs.existsSync(path.join(dir, 'out')), false, 'nothing written');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
