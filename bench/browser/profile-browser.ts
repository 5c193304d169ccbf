/**
 * Bench (not a test): profiles presets in headless Chromium through the real command
 * (`spnas profile --target browser`, Debian's chromium driven by playwright-core), then on tfjs-node
 * (`spnas profile`) right after, with the same seed, so both check the SAME random architectures.
 * Reports each table's prediction error, and per architecture the ratio of its measured whole-network
 * latency in the browser to native tfjs-node (a ratio from one run, as the machine is shared).
 * --native-threads N runs tfjs-node with N intra-op threads (TF_NUM_INTRAOP_THREADS), e.g. 1 to
 * compare with single-threaded WASM.
 *
 *   node --import tsx bench/browser/profile-browser.ts [--backend wasm] [--repeats 20] [--samples 20] [--native-threads 1] cifar-tiny cifar-small
 *
 * Writes bench/browser/results/<preset>-<backend>-<UTC yyyymmdd-hhmm>.json and prints a Markdown table.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSpnas, withBrowser } from '../../test/support/browser';
import { quantile } from '../../src/latency/statistic';
import type { PredictionReport } from '../../src/latency/prediction-error';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    backend: { type: 'string', default: 'wasm' },
    repeats: { type: 'string', default: '20' },
    samples: { type: 'string', default: '20' },
    'native-threads': { type: 'string' },
  },
});
const root = path.resolve(__dirname, '../..');
const resultsDir = path.join(__dirname, 'results');

interface ProfileOut {
  report: PredictionReport;
  seconds: number;
  table: { device: string; meta?: { backend?: string } };
  browser?: { backend: string; backendDetail: string; userAgent: string };
}

async function profile(args: string[], inBrowser: boolean, env: Record<string, string> = {}): Promise<ProfileOut> {
  const run = spawnSpnas(['profile', ...args, '--json'], root, env);
  try {
    if (inBrowser) {
      const [url] = await run.waitForStderr(/http:\/\/127\.0\.0\.1:\d+\/\?session=[0-9a-f]+/);
      await withBrowser(
        async (b) => {
          const page = await b.open(url!);
          await page.waitForSelector('body[data-state]', { state: 'attached', timeout: 3_600_000 });
          if ((await page.getAttribute('body', 'data-state')) !== 'done') throw new Error(`page failed: ${await page.textContent('#error')}`);
          if (b.offHostRequests().length) throw new Error(`requests left the machine: ${b.offHostRequests().join(', ')}`);
        },
        { timeoutMs: 3_600_000 },
      );
    }
    const r = await run.exit;
    if (r.code !== 0) throw new Error(`spnas profile failed (${r.code}):\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as ProfileOut;
  } finally {
    run.kill();
  }
}

async function main(): Promise<void> {
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  const backend = values.backend!;
  const rows = [
    '| space | where | within +-10% | median abs err | mean err | whole-net latency, median (ms) | browser / native, median ratio |',
    '|---|---|---|---|---|---|---|',
  ];
  fs.mkdirSync(resultsDir, { recursive: true });
  for (const space of positionals.length ? positionals : ['cifar-tiny']) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-bench-browser-'));
    const common = ['--space', space, '--repeats', values.repeats!, '--samples', values.samples!, '--seed', '1'];
    const load0 = os.loadavg()[0]!;
    const inBrowser = await profile(['--target', 'browser', '--backend', backend, ...common, '--out', path.join(tmp, 'browser.json')], true);
    const load1 = os.loadavg()[0]!;
    const threads = values['native-threads'];
    const native = await profile([...common, '--out', path.join(tmp, 'node.json')], false, threads ? { TF_NUM_INTRAOP_THREADS: threads } : {});
    const load2 = os.loadavg()[0]!;
    fs.rmSync(tmp, { recursive: true, force: true });
    const ratios = inBrowser.report.samples.map((s, i) => {
      if (s.arch !== native.report.samples[i]!.arch) throw new Error('the two profiles checked different architectures');
      return s.measuredMs / native.report.samples[i]!.measuredMs;
    });
    const med = (r: PredictionReport) =>
      quantile(
        r.samples.map((s) => s.measuredMs),
        0.5,
      );
    const line = (where: string, r: PredictionReport, ratio: string) =>
      `| ${space} | ${where} | ${(100 * r.exact.within10).toFixed(0)}% | ${r.exact.medianAbsErrPct.toFixed(1)}% | ${r.exact.meanErrPct.toFixed(1)}% | ${med(r).toFixed(2)} | ${ratio} |`;
    rows.push(line(`Chromium, tfjs ${inBrowser.browser?.backend} (${inBrowser.browser?.backendDetail})`, inBrowser.report, quantile(ratios, 0.5).toFixed(2)));
    rows.push(line(`tfjs-node (native, ${threads ?? 'default'} threads)`, native.report, ''));
    const out = {
      space,
      backend,
      repeats: Number(values.repeats),
      nativeThreads: threads ?? 'default',
      loadavg1: [load0, load1, load2],
      cpus: os.cpus().length,
      browser: inBrowser,
      native,
      ratios,
    };
    fs.writeFileSync(path.join(resultsDir, `${space}-${backend}-${stamp}.json`), JSON.stringify(out, null, 1) + '\n');
    process.stderr.write(
      `${space}: browser ${inBrowser.seconds.toFixed(0)} s, native ${native.seconds.toFixed(0)} s, 1-min load ${load0.toFixed(1)} -> ${load1.toFixed(1)} -> ${load2.toFixed(1)}\n`,
    );
  }
  process.stdout.write(rows.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
