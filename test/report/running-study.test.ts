// "The same module renders a finished study and one still running": a study root with only spec.json,
// its table and the finished trials' records (trials/t<id>.json, no summary.json yet) reports as running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StudySummary } from '../../src/study/records';
import { reportStudy } from '../../src/usecases/report-study';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'report-study');

test('a running study (spec, table and two finished trials in the store, no summary) gets a report with those trials', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-report-running-'));
  try {
    const root = path.join(dir, 'studies', 'running');
    fs.cpSync(FIXTURE, root, { recursive: true });
    fs.rmSync(path.join(root, 'summary.json'));
    // the fixture's spec has its storage made relative; here the study lives under <dir>/studies/running
    const spec = JSON.parse(fs.readFileSync(path.join(root, 'spec.json'), 'utf8')) as { storage: string; name: string };
    fs.writeFileSync(path.join(root, 'spec.json'), JSON.stringify({ ...spec, storage: dir, name: 'running' }));
    const done = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'summary.json'), 'utf8')) as StudySummary;
    fs.mkdirSync(path.join(root, 'trials'));
    for (const t of done.trialRecords.slice(0, 2)) fs.writeFileSync(path.join(root, 'trials', `t${t.trialId}.json`), JSON.stringify(t));
    const out = path.join(dir, 'report.html');
    const r = await reportStudy({ study: root, out });
    assert.equal(r.view.study.state, 'running');
    assert.equal(r.view.study.running, true);
    assert.deepEqual(
      r.view.trials.map((t) => t.trialId),
      done.trialRecords.slice(0, 2).map((t) => t.trialId),
    );
    assert.equal(r.view.points.length, 2);
    assert.ok(r.view.front.length >= 1);
    assert.deepEqual(r.view.final, []);
    assert.equal(r.view.curves.length, 2, 'their traces, resolved against the study root');
    const html = fs.readFileSync(out, 'utf8');
    assert.match(html, /class="state state-running"/);
    assert.match(html, /still running: final models come at its end/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
