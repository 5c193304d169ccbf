// The report's pure parts on a real study's summary (test/fixtures/report-study, made by
// scripts/report-fixture.ts): what the page draws, that hostile strings from a study cannot become
// markup or end the embedded JSON, and that a running study renders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SearchRecord, TrainRecord } from '../../bench/nas/searched-vs-random';
import { InvalidInputError } from '../../src/errors';
import { renderReportHtml } from '../../src/report/html';
import { overlayView, parseOverlayRecords, type OverlayRecord } from '../../src/report/overlay';
import { parseTrace } from '../../src/report/search-curves';
import { buildReportView, type ReportInput } from '../../src/report/view-model';
import { parseLatencyTable } from '../../src/latency/latency-table';
import type { StudySummary } from '../../src/study/records';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'report-study');
const readJson = (f: string): unknown => JSON.parse(fs.readFileSync(path.join(FIXTURE, f), 'utf8'));

// The overlay's schema accepts exactly what the bench writes (a compile-time check both ways).
const _fromBench: OverlayRecord = {} as SearchRecord | TrainRecord;
const _toBench: SearchRecord | TrainRecord = {} as OverlayRecord;
void _fromBench;
void _toBench;

function input(summary: StudySummary = readJson('summary.json') as StudySummary): ReportInput {
  const traces = new Map<string, ReturnType<typeof parseTrace> | { error: string }>();
  for (const t of summary.trialRecords) if (t.result) traces.set(t.result.trace, parseTrace(readJson(t.result.trace), t.result.trace));
  return { summary, table: parseLatencyTable(readJson('table.json')), traces };
}

const ASSETS = { script: 'document.body.dataset.ready = "1";', css: 'body{}', scriptSha256: 'x' };

test("the view of a real study: every finished trial a point, the study's front marked and sorted by latency, per-layer latencies", () => {
  const summary = readJson('summary.json') as StudySummary;
  const v = buildReportView(input(summary));
  const ok = summary.trialRecords.filter((t) => t.state === 'ok');
  assert.ok(ok.length >= 3 && summary.front.length >= 1, 'the fixture has trials and a front');
  assert.equal(v.points.length, ok.length);
  assert.deepEqual(
    v.points
      .filter((p) => p.onFront)
      .map((p) => p.trialId)
      .sort(),
    summary.front.map((m) => m.trialId).sort(),
  );
  assert.equal(v.front.length, summary.front.length);
  const lat = v.front.map((m) => m.latencyMs);
  assert.deepEqual(
    lat,
    [...lat].sort((a, b) => a - b),
    'front members by latency',
  );
  // every front member's layers come from the table and add up to the trial's predicted latency
  for (const m of v.front) {
    const trial = summary.trialRecords.find((t) => t.trialId === m.trialId)!;
    assert.equal(m.layers.length, m.architecture.split(',').length);
    assert.ok(m.layers.every((l) => l.ms !== undefined && (l.skip ? l.ms === 0 : l.ms > 0)));
    assert.ok(Math.abs(m.predictedMs! - trial.result!.predictedMs) < 1e-6, `trial ${m.trialId}: ${m.predictedMs} vs ${trial.result!.predictedMs}`);
  }
  // one search curve per trace, with a decision run per searchable layer
  assert.equal(v.curves.length, new Set(ok.map((t) => t.result!.trace)).size);
  for (const c of v.curves) {
    assert.ok(c.steps.length > 1 && c.ce.length === c.steps.length && c.runtimeMs.length === c.steps.length);
    assert.equal(c.decisions.length, c.finalArchitecture!.split(',').length);
    assert.deepEqual(
      c.decisions.map((runs) => runs[runs.length - 1]!.op),
      c.finalArchitecture!.split(','),
    );
  }
  // convergence: best so far never decreases and ends at the best trial
  const best = v.convergence.bestSoFar.map((b) => b.top1!);
  assert.deepEqual(
    best,
    [...best].sort((a, b) => a - b),
  );
  assert.equal(best[best.length - 1], Math.max(...ok.map((t) => t.result!.top1)));
  assert.equal(v.cost.savedByWarmup, summary.compute.savedByWarmup);
  assert.deepEqual(v.warnings, []);
});

test('hostile strings (a failure message with </script>, markup in an architecture-like field, a study name) stay text', () => {
  const summary = structuredClone(readJson('summary.json')) as StudySummary;
  const evil = `</script><script>alert(1)</script><img src=x onerror="alert(2)"> & '<!--`;
  summary.study = `study <b>${evil}`;
  summary.state = 'running';
  summary.final = [];
  summary.trialRecords.push({
    trialId: 99,
    fidelity: 1,
    params: { lambda: 3, note: evil },
    state: 'failed',
    startedAt: summary.startedAt,
    endedAt: summary.now,
    failure: { type: 'DataError', message: evil },
  });
  summary.trialRecords.push({ trialId: 100, fidelity: 1, params: { lambda: 4 }, state: 'running', startedAt: summary.now - 1000 });
  const v = buildReportView(input(summary));
  assert.equal(v.study.running, true);
  assert.equal(v.trials.find((t) => t.trialId === 99)!.failure!.message, evil);
  assert.equal(v.trials.find((t) => t.trialId === 100)!.state, 'running');
  const html = renderReportHtml(v, ASSETS);
  assert.equal(html.match(/<script/gi)!.length, 2, 'only the data block and the page script');
  assert.equal(html.match(/<\/script>/gi)!.length, 2);
  assert.ok(!html.includes('<img'), 'no markup from the study');
  assert.ok(!html.includes('<b>'));
  assert.ok(html.includes('&#60;/script&#62;&#60;script&#62;alert(1)'), 'the failure message is shown as text');
  // the embedded JSON parses back to the view, hostile strings intact
  const data = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  assert.ok(data, 'the data block ends at its own </script>');
  assert.deepEqual(JSON.parse(data[1]!), JSON.parse(JSON.stringify(v)));
  assert.ok(html.includes('The study is still running'));
  assert.throws(() => renderReportHtml(v, { ...ASSETS, script: 'var s = "</script>";' }), /cannot be inlined/);
});

/** One retraining record of the searched-vs-random bench (frac 0.7). */
const train = (seed: number, kind: 'searched' | 'random', architecture: string, predictedMs: number, top1: number): OverlayRecord => ({
  type: 'train',
  frac: 0.7,
  kind,
  architecture,
  predictedMs,
  seed,
  top1,
  wallSeconds: 1,
  cpuSeconds: 1,
  loadavg: 1,
});

test('overlay: the bench records aggregate per architecture over seeds; a malformed line names the file and the line', () => {
  const recs: OverlayRecord[] = [
    { type: 'search', frac: 0.7, targetMs: 10, architecture: 'k3e3,skip', predictedMs: 9.8, supernetTop1: 0.3, seconds: 5 },
    ...[0, 1].flatMap((seed) => [
      train(seed, 'searched', 'k3e3,skip', 9.8, 0.4 + seed / 10),
      train(seed, 'random', 'k5e3,skip', 10.1, 0.35 + seed / 10),
      train(seed, 'random', 'k3e6,skip', 9.9, 0.5),
    ]),
  ];
  const text = recs.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const o = overlayView(parseOverlayRecords(text, 'svr.jsonl'), 'svr.jsonl');
  assert.equal(o.targets.length, 1);
  const t = o.targets[0]!;
  assert.ok(Math.abs(t.searched!.meanTop1 - 0.45) < 1e-12);
  assert.equal(t.searched!.minTop1, 0.4);
  assert.ok(Math.abs(t.searched!.maxTop1 - 0.5) < 1e-12);
  assert.equal(t.searched!.seeds, 2);
  assert.equal(t.randoms.length, 2);
  assert.equal(t.searchedBeats, 1);
  assert.match(o.caveat, /budget/);
  const bad = text.split('\n');
  bad.splice(2, 0, '{"type":"train","frac":0.7}');
  assert.throws(
    () => parseOverlayRecords(bad.join('\n'), 'svr.jsonl'),
    (e: unknown) => e instanceof InvalidInputError && /svr\.jsonl line 3 /.test(e.message) && /kind/.test(e.message),
  );
  assert.throws(
    () => parseOverlayRecords(text + '{oops\n', 'svr.jsonl'),
    (e: unknown) => e instanceof InvalidInputError && /svr\.jsonl line 8 is not JSON/.test(e.message),
  );
});

test('every accuracy in the report carries its image count and 95% interval; a summary from before counts were kept says it has none', () => {
  const old = readJson('summary.json') as StudySummary;
  const oldHtml = renderReportHtml(buildReportView(input(old)), ASSETS);
  assert.match(oldHtml, /20\.0% \(n unknown, no interval\)/, 'the fixture predates image counts: shown as unknown');
  // The same study as it is recorded now: 100 held-out images per evaluation (the fixture's valCount).
  const now = JSON.parse(JSON.stringify(old)) as StudySummary;
  for (const t of now.trialRecords) if (t.result) t.result.images = 100;
  for (const m of now.front) m.images = 100;
  for (const f of now.final) f.images = 100;
  const sel = now.front[0]!;
  now.selected = sel;
  now.selection = { trialId: sel.trialId, decidedBy: 'latency', tiedWith: [4] };
  const v = buildReportView(input(now));
  // 20 of 100: Wilson 95% interval 13.3-28.9%
  const [low, high] = v.front[0]!.interval!;
  assert.ok(Math.abs(low - 0.1333) < 5e-4 && Math.abs(high - 0.2888) < 5e-4, `${low} ${high}`);
  assert.ok(v.points.every((p) => p.images === 100 && p.interval!.length === 2));
  assert.ok(v.trials.filter((t) => t.state === 'ok').every((t) => t.images === 100 && t.interval !== undefined));
  assert.equal(v.final[0]!.images, 100);
  assert.deepEqual(v.selection, { trialId: sel.trialId, decidedBy: 'latency', tiedWith: [4] });
  const html = renderReportHtml(v, ASSETS);
  assert.match(html, /20\.0% \[13\.3-28\.9\] on 100 images/);
  assert.match(html, new RegExp(`selected trial ${sel.trialId}: tied on top-1 within the 95% intervals with trial 4; decided by latency`));
  assert.doesNotMatch(html, /n unknown/);
  // a selected trial that the front's tie-break (lower latency) kept off the front still leads the architectures
  const offTrial = now.trialRecords.find((t) => t.state === 'ok' && t.result && !now.front.some((m) => m.trialId === t.trialId))!;
  const off = {
    trialId: offTrial.trialId,
    architecture: offTrial.result!.architecture,
    top1: offTrial.result!.top1,
    images: 100,
    latencyMs: offTrial.latencyMs!,
  };
  const v2 = buildReportView(input({ ...now, selected: off, selection: { trialId: off.trialId, decidedBy: 'top-1', tiedWith: [sel.trialId] } }));
  const shown = v2.front.find((m) => m.trialId === off.trialId);
  assert.ok(shown?.selected && shown.offFront, JSON.stringify(shown));
  assert.equal(v2.front.filter((m) => m.offFront).length, 1);
  const html2 = renderReportHtml(v2, ASSETS);
  assert.match(
    html2,
    new RegExp(`selected trial ${off.trialId}: tied on top-1 within the 95% intervals with trial ${sel.trialId}; decided by the higher top-1 estimate`),
  );
  assert.match(html2, /not on the front: tied with a faster member/);
});

test("a measured latency is shown with its own 95% interval, the trial's and the final model's; an older record without one shows the value alone", () => {
  const now = readJson('summary.json') as StudySummary;
  const t0 = now.trialRecords.find((t) => t.result?.measuredMs !== undefined)!;
  const m = t0.result!.measuredMs!;
  t0.result!.measuredIntervalMs = [m - 0.25, m + 0.5];
  const f = now.final[0]!;
  f.latencyMs = 12.345;
  f.latencyIntervalMs = [12.1, 12.6];
  const html = renderReportHtml(buildReportView(input(now)), ASSETS);
  assert.ok(html.includes(`>${m.toFixed(2)} [${(m - 0.25).toFixed(2)}-${(m + 0.5).toFixed(2)}]</td>`), 'the trial row');
  assert.ok(html.includes('>12.35 [12.10-12.60]</td>'), 'the final model row');
  const other = now.trialRecords.find((t) => t !== t0 && t.result?.measuredMs !== undefined)!;
  assert.ok(html.includes(`>${other.result!.measuredMs!.toFixed(2)}</td>`), 'a record without an interval');
});
