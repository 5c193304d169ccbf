/**
 * Real material for `spnas report`:
 *
 *   node --import tsx scripts/report-fixture.ts study        runs a real tiny study (embedded Temporal dev
 *       server on its own port and task queues, cifar-tiny, 600 images) and copies what the report reads
 *       into test/fixtures/report-study/ (summary, spec, table, the trials' traces; no checkpoints or
 *       models), with every URI rewritten relative to the fixture's root
 *   node --import tsx scripts/report-fixture.ts overlay      runs bench/nas/searched-vs-random.ts at a tiny
 *       budget (cifar-tiny, 700 images, 3 randoms, 2 seeds) into test/fixtures/report-study/searched-vs-random.jsonl
 *   node --import tsx scripts/report-fixture.ts screenshot [<study root>] [--overlay <jsonl>] [--png docs/img/report.png]
 *       renders the report of a study root (default: the example study's results,
 *       runs/studies/studies/quickstart of the main checkout) in headless Chromium and saves docs/img/report.png
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, CHROMIUM_FLAGS } from '../test/support/browser';

const ROOT = path.resolve(__dirname, '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'report-study');
const CIFAR = path.resolve(ROOT, '..', 'shared', 'data', 'cifar10-jpeg', 'train-000000.tar');

function spnas(args: string[], env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, [path.join(ROOT, 'bin', 'spnas.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', SPNAS_FROM_SOURCE: '1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
}

/** A URI of the study's store as a path relative to the study root (the fixture moves). */
function relativeTo(studyRoot: string, uri: string): string {
  const p = uri.startsWith('file://') ? fileURLToPath(uri) : uri;
  const rel = path.relative(studyRoot, p);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`${uri} lies outside the study root ${studyRoot}`);
  return rel.split(path.sep).join('/');
}

function copy(studyRoot: string, rel: string): void {
  const dst = path.join(FIXTURE, rel);
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.copyFileSync(path.join(studyRoot, rel), dst);
}

async function study(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-report-fixture-'));
  // a fresh name: the dev server's database remembers earlier runs' workflows
  const name = `tiny-${Date.now().toString(36)}`;
  const spec = {
    name,
    storage: path.join(work, 'store'),
    space: 'cifar-tiny',
    data: { train: { uri: CIFAR, limit: 600, valCount: 100 } },
    latencyTable: { shipped: true },
    objectives: { latency: 'measured', latencyTargetFraction: 0.8 },
    hpo: { sampler: 'random', trials: 5, parallelism: 1, seed: 3 },
    budget: { searchEpochs: 5, warmupEpochs: 1, retrainEpochs: 1, batchSize: 32, seed: 0, final: { models: 1, config: { epochs: 1 } } },
    computeTaskQueue: 'spnas-report-fixture-compute',
  };
  const specFile = path.join(work, 'spec.json');
  fs.writeFileSync(specFile, JSON.stringify(spec, null, 2));
  // its own dev server and queues: no other session's worker picks up these activities
  spnas(['study', 'run', specFile, '--json'], {
    SPNAS_DEV_PORT: process.env.SPNAS_DEV_PORT ?? '7391',
    SPNAS_ORCHESTRATION_QUEUE: 'spnas-report-fixture',
    SPNAS_COMPUTE_QUEUE: 'spnas-report-fixture-compute',
  });
  const studyRoot = path.join(work, 'store', 'studies', name);
  const summary = JSON.parse(fs.readFileSync(path.join(studyRoot, 'summary.json'), 'utf8'));
  // what this script writes (the overlay beside it comes from the bench: scripts/report-fixture.ts overlay)
  for (const f of ['configs', 'summary.json', 'spec.json', 'table.json']) fs.rmSync(path.join(FIXTURE, f), { recursive: true, force: true });
  fs.mkdirSync(FIXTURE, { recursive: true });
  summary.storage = '.';
  summary.spec.storage = '.';
  summary.spec.data.train.uri = 'train-000000.tar';
  summary.table.uri = relativeTo(studyRoot, summary.table.uri);
  copy(studyRoot, summary.table.uri);
  for (const t of summary.trialRecords) {
    if (!t.result) continue;
    for (const k of ['search', 'train', 'model', 'trace']) t.result[k] = relativeTo(studyRoot, t.result[k]);
    copy(studyRoot, t.result.trace);
  }
  for (const m of summary.final) m.model = relativeTo(studyRoot, m.model);
  fs.writeFileSync(path.join(FIXTURE, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  fs.writeFileSync(path.join(FIXTURE, 'spec.json'), JSON.stringify(summary.spec, null, 2) + '\n');
  process.stdout.write(`wrote ${FIXTURE} from ${studyRoot}\n`);
}

async function overlay(): Promise<void> {
  const out = path.join(FIXTURE, 'searched-vs-random.jsonl');
  fs.rmSync(out, { force: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-report-overlay-'));
  const args = ['--space', 'cifar-tiny', '--fracs', '0.7', '--randoms', '3', '--seeds', '0,1', '--limit', '700', '--val', '200'];
  args.push('--search-epochs', '2', '--search-warmup', '1', '--search-batch', '32', '--train', '{"epochs":1}', '--out', out, '--work', work);
  execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'nas', 'searched-vs-random.ts'), ...args], { cwd: ROOT, stdio: 'inherit' });
  process.stdout.write(`wrote ${out}\n`);
}

async function screenshot(args: string[]): Promise<void> {
  const i = args.indexOf('--overlay');
  const overlay = i >= 0 ? args.splice(i, 2)[1] : undefined;
  const j = args.indexOf('--png');
  const pngArg = j >= 0 ? args.splice(j, 2)[1] : undefined;
  // default: where the README's quick start stores its study
  const studyRoot = args[0] ?? path.join(ROOT, 'runs', 'studies', 'quickstart');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-report-shot-')), 'report.html');
  spnas(['report', studyRoot, '--out', out, ...(overlay ? ['--overlay', overlay] : [])]);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto('file://' + out, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="1"]');
    const png = path.resolve(pngArg ?? path.join(ROOT, 'docs', 'img', 'report.png'));
    fs.mkdirSync(path.dirname(png), { recursive: true });
    await page.screenshot({ path: png, clip: { x: 0, y: 0, width: 1280, height: 900 } });
    process.stdout.write(`wrote ${png} from the report of ${studyRoot}\n`);
  } finally {
    await browser.close();
  }
}

const [cmd, ...rest] = process.argv.slice(2);
const run = { study, overlay, screenshot: () => screenshot(rest) }[cmd ?? ''];
(run ? run() : Promise.reject(new Error('usage: report-fixture.ts study | overlay | screenshot [<study root>] [--overlay <jsonl>]'))).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
