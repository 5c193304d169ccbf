// `spnas report` on a real small study (test/fixtures/report-study, from scripts/report-fixture.ts),
// loaded in real headless Chromium from disk: no console error, no request beyond the file itself,
// every finished trial and front member drawn, the table sorts, and a screenshot is taken. With
// --overlay, the searched-vs-random bench's real results (same fixture directory) join the front chart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import type { StudySummary } from '../../src/study/records';
import { withBrowser } from '../support/browser';
import { spnas } from '../support/run-cli';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'report-study');
const OVERLAY = path.join(FIXTURE, 'searched-vs-random.jsonl');
const summary = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'summary.json'), 'utf8')) as StudySummary;

interface PageView {
  document: { body: { dataset: Record<string, string> }; querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> };
}

async function drawn(page: Page): Promise<Record<string, string>> {
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
  return page.evaluate(() => ({ ...(globalThis as unknown as PageView).document.body.dataset }));
}

const firstColumn = (page: Page) =>
  page.evaluate(() =>
    Array.from((globalThis as unknown as PageView).document.querySelectorAll('#trials tbody tr td:first-child'), (td) => Number(td.textContent)),
  );

test('the report of a real study loads offline in Chromium, draws every trial and the front, sorts, and screenshots', { timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-report-'));
  try {
    const out = path.join(dir, 'report.html');
    const r = spnas(['report', FIXTURE, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /wrote .*report\.html/);
    const ok = summary.trialRecords.filter((t) => t.state === 'ok').length;
    await withBrowser(async (b) => {
      const url = pathToFileURL(out).href;
      const page = await b.open(url);
      const d = await drawn(page);
      assert.equal(Number(d.drawnPoints), ok, 'every finished trial is a point');
      assert.equal(Number(d.drawnFront), summary.front.length, 'every front member is marked');
      assert.equal(await page.locator('.front-member').count(), summary.front.length);
      assert.equal(await page.locator('#trials tbody tr').count(), summary.trialRecords.length);
      assert.equal(await page.locator('canvas').count(), 5, 'front, CE/runtime, decisions, convergence, cost');
      // sorting by top-1 (a column the page sorts numerically), then back the other way
      const top1Col = await page.locator('#trials th', { hasText: 'top-1' }).first();
      await top1Col.click();
      const top1 = (ids: number[]) => ids.map((id) => summary.trialRecords.find((t) => t.trialId === id)!.result!.top1);
      const asc = top1(await firstColumn(page));
      assert.equal(asc.length, summary.trialRecords.length);
      assert.deepEqual(
        asc,
        [...asc].sort((a, b) => a - b),
        'ascending by top-1',
      );
      await top1Col.click();
      const desc = top1(await firstColumn(page));
      assert.deepEqual(
        desc,
        [...desc].sort((a, b) => b - a),
        'descending by top-1',
      );
      assert.notDeepEqual(asc, desc);
      await b.screenshot(page, path.join(dir, 'report.png'));
      assert.ok(fs.statSync(path.join(dir, 'report.png')).size > 20_000, 'a real screenshot');
      assert.deepEqual(b.consoleErrors, []);
      assert.deepEqual(
        b.requests.map((q) => q.url).filter((u) => u !== url),
        [],
        'nothing but the file itself is requested',
      );
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--overlay draws the searched-vs-random bench on the front, with its caveat', { timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-report-'));
  try {
    const out = path.join(dir, 'report.html');
    const r = spnas(['report', FIXTURE, '--out', out, '--overlay', OVERLAY]);
    assert.equal(r.code, 0, r.stderr);
    const lines = fs
      .readFileSync(OVERLAY, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; kind?: string; architecture: string });
    const archs = new Set(lines.filter((l) => l.type === 'train').map((l) => `${l.kind} ${l.architecture}`));
    await withBrowser(async (b) => {
      const page = await b.open(pathToFileURL(out).href);
      const d = await drawn(page);
      assert.equal(Number(d.drawnOverlay), archs.size, 'one point per bench architecture');
      assert.equal(Number(d.drawnPoints), summary.trialRecords.filter((t) => t.state === 'ok').length);
      assert.match((await page.locator('.overlay-note').textContent()) ?? '', /budget/);
      await b.screenshot(page, path.join(dir, 'overlay.png'));
      assert.deepEqual(b.consoleErrors, []);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
