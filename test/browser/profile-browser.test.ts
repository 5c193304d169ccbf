// `spnas profile --target browser`: the real command serves its page, real headless Chromium opens the
// printed URL and profiles cifar-tiny on the WASM backend, the command writes the table, and
// `spnas search --table` optimises against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseLatencyTableFor, type LatencyTable } from '../../src/latency/latency-table';
import { predictArchitectureLatencyExact } from '../../src/latency/runtime-model';
import { architectureFromString } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';
import { CIFAR_DIR } from '../data/fixtures';
import { spawnSpnas, withBrowser } from '../support/browser';
import { jsonOut, REPO, spnas } from '../support/run-cli';

test('a headless Chromium profiles cifar-tiny on WASM and spnas search accepts the table', { timeout: 900_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-bprof-'));
  const out = path.join(dir, 'table.json');
  const run = spawnSpnas(
    [
      'profile',
      '--target',
      'browser',
      '--space',
      'cifar-tiny',
      '--backend',
      'wasm',
      '--repeats',
      '3',
      '--warmup',
      '1',
      '--samples',
      '4',
      '--out',
      out,
      '--json',
    ],
    REPO,
  );
  try {
    const [url] = await run.waitForStderr(/http:\/\/127\.0\.0\.1:\d+\/\?session=[0-9a-f]+/);
    await withBrowser(async (b) => {
      const page = await b.open(url!);
      await page.waitForSelector('body[data-state]', { state: 'attached', timeout: 600_000 });
      assert.equal(await page.getAttribute('body', 'data-state'), 'done', (await page.textContent('#error')) ?? '');
      assert.match((await page.textContent('#backend')) ?? '', /^wasm \(/);
      assert.match((await page.textContent('#report')) ?? '', /4 random architectures: median \|error\|/);
      await b.screenshot(page, path.join(dir, 'profile.png'));
      assert.deepEqual(b.consoleErrors, []);
      assert.deepEqual(b.offHostRequests(), [], 'the page loads nothing from outside this machine');
      assert.ok(
        b.requests.some((r) => /\/wasm\/tfjs-backend-wasm.*\.wasm$/.test(r.url)),
        'the WASM binary came from the spnas server',
      );
    });
    const r = await run.exit;
    assert.equal(r.code, 0, r.stderr);
    const res = jsonOut(r);
    assert.equal((res.browser as { backend: string }).backend, 'wasm', 'the command reports the backend the browser used');
    const report = res.report as { count: number; exact: { medianAbsErrPct: number } };
    assert.equal(report.count, 4, 'prediction error against 4 whole networks measured in the browser');
    assert.ok(Number.isFinite(report.exact.medianAbsErrPct));

    const space = getPreset('cifar-tiny');
    const table: LatencyTable = parseLatencyTableFor(space, JSON.parse(fs.readFileSync(out, 'utf8')));
    assert.match(table.meta?.backend ?? '', /^tfjs wasm \(browser: /);
    assert.match(table.device, /Headless Chrome \d+/);
    assert.deepEqual([table.meta?.repeats, table.meta?.warmup, table.meta?.batch], [3, 1, 1]);

    const s = spnas(
      [
        'search',
        '--space',
        'cifar-tiny',
        '--table',
        out,
        '--data',
        path.join(CIFAR_DIR, 'train-000000.tar'),
        '--limit',
        '128',
        '--val-count',
        '32',
        '--batch-size',
        '32',
        '--epochs',
        '1',
        '--warmup-epochs',
        '0',
        '--lambda',
        '2',
        '--out',
        path.join(dir, 'search'),
        '--json',
      ],
      { timeoutMs: 600_000 },
    );
    assert.equal(s.code, 0, s.stderr);
    const sr = jsonOut(s);
    const arch = architectureFromString(space, String(sr.architecture));
    assert.ok(
      Math.abs(Number(sr.predictedMsExact) - predictArchitectureLatencyExact(table, arch)) < 1e-9,
      'the search predicted latency from the browser table',
    );
  } finally {
    run.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('spnas profile --target browser refuses bad flags before serving anything', () => {
  const bad = (args: string[], re: RegExp) => {
    const r = spnas(['profile', '--space', 'cifar-tiny', ...args]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /http:\/\/127/, 'no page was served');
  };
  bad(['--target', 'phone'], /--target must be node or browser, got 'phone'/);
  bad(['--target', 'browser', '--backend', 'metal'], /--backend must be auto or one of webgpu, webgl, wasm, cpu, got 'metal'/);
  bad(['--backend', 'wasm'], /apply to --target browser only/);
  bad(['--target', 'browser', '--port', '70000'], /port: .*65535/);
});

const URL_RE = /http:\/\/127\.0\.0\.1:\d+\/\?session=[0-9a-f]+/;

test("a page that cannot run ends the command with the browser's reason (no WebGPU in headless Chromium)", { timeout: 300_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-bprof-'));
  const run = spawnSpnas(
    ['profile', '--target', 'browser', '--space', 'cifar-tiny', '--backend', 'webgpu', '--repeats', '1', '--samples', '0', '--out', path.join(dir, 't.json')],
    REPO,
  );
  try {
    const [url] = await run.waitForStderr(URL_RE);
    await withBrowser(async (b) => {
      const page = await b.open(url!);
      await page.waitForSelector('body[data-state]', { state: 'attached', timeout: 120_000 });
      assert.equal(await page.getAttribute('body', 'data-state'), 'failed');
      assert.match((await page.textContent('#error')) ?? '', /no TF\.js backend could start here \(asked for webgpu\)/);
    });
    const r = await run.exit;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /BROWSER_PAGE_FAILED.*the profiling page failed in the browser: no TF\.js backend could start here \(asked for webgpu\)/);
    assert.ok(!fs.existsSync(path.join(dir, 't.json')), 'no table written');
  } finally {
    run.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C while waiting for a browser cancels cleanly (exit 130)', { timeout: 300_000 }, async () => {
  const run = spawnSpnas(['profile', '--target', 'browser', '--space', 'cifar-tiny', '--out', path.join(os.tmpdir(), 'spnas-never-written.json')], REPO);
  try {
    await run.waitForStderr(URL_RE);
    run.kill('SIGINT');
    const r = await run.exit;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /cancelled/);
  } finally {
    run.kill();
  }
});
