/**
 * `spnas profile`: measures a latency table for a search space on this machine's TF.js backend,
 * writes it as JSON, and reports its prediction error against measured whole networks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInputError } from '../../errors';
import type { CliCommand } from '../command';
import { numberFlag, parseFlags, requireFlag } from '../args';
import { ProgressReporter } from '../progress';
import { resolveSpace } from '../space-arg';
import type { ProfileResult } from '../../profiler/profiler';
import { profileLatency } from '../../usecases/profile-latency';
import { profileLatencyInBrowser } from '../../usecases/profile-latency-browser';
import { checkBackendPreference } from '../../browser/backends';
import { abortOnSignals } from '../signals';
import { DEFAULT_STATISTIC, STATISTICS, type Statistic } from '../../latency/statistic';
import type { ErrorStats } from '../../latency/prediction-error';

const usage = `usage: spnas profile --space <preset|spec.json> [options]

Times every candidate of every searchable layer (k3e3, k3e6, k5e3, k5e6, each with SE when the space
has searchable SE) and the fixed part in isolation at batch 1 on this machine's TF.js backend, writes
the latency table, and reports how well it predicts measured whole-network latency of random
architectures (median |error| and the fraction within +-10%).

options:
  --space <name|file>   preset (mobilenetv2-imagenet, cifar, cifar-small, cifar-tiny) or JSON spec
  --out <file>          table JSON to write (default: latency-<space>.json)
  --repeats <n>         timed rounds per model (default 20)
  --warmup <n>          untimed rounds first (default 5)
  --samples <n>         random architectures for the error check, 0 to skip (default 20)
  --seed <n>            seed of the sampled architectures (default 1)
  --stat <s>            per-model statistic over the rounds: ${STATISTICS.join(' | ')}
                        (default ${DEFAULT_STATISTIC}: the only one additive under noise from other
                        jobs; median is the reference's choice on a dedicated device)
  --device <label>      device label stored in the table
  --json                print one JSON object (table path, table, report) on stdout
  --target <t>          node (default): this process's TF.js backend; browser: serve a page on
                        127.0.0.1 that profiles in whatever browser opens it (docs/browser.md)
  --backend <b>         with --target browser: auto (default: WebGPU, WebGL, WASM, CPU, the first
                        that starts) | webgpu | webgl | wasm | cpu
  --port <n>            with --target browser: port on 127.0.0.1 (default: any free port)

Threads: libtensorflow's default (one per CPU); set TF_NUM_INTRAOP_THREADS=N to profile with N
(the reference's Pixel-1 table is 1 thread). Profile on an otherwise idle machine when you can:
other jobs inflate and skew the timings (docs/runtime-model.md).
`;

function intFlag(values: Record<string, unknown>, name: string, min: number): number | undefined {
  const n = numberFlag(values, name);
  if (n !== undefined && (!Number.isInteger(n) || n < min)) throw new InvalidInputError(`--${name} must be an integer >= ${min}, got ${n}`);
  return n;
}

function fmtStats(s: ErrorStats): string {
  return `median |err| ${s.medianAbsErrPct.toFixed(2)}%, within +-10%: ${(100 * s.within10).toFixed(0)}%, mean err ${s.meanErrPct.toFixed(2)}%, max |err| ${s.maxAbsErrPct.toFixed(2)}%`;
}

function humanReport(r: ProfileResult, out: string): string {
  const t = r.table;
  const lines = [
    `backend: ${t.meta?.backend ?? '?'}`,
    `wrote ${out}: ${t.layers.length} layers, fixed ${t.fixedMs.toFixed(3)} ms, call overhead ${t.meta?.callOverheadMs?.toFixed(3) ?? '?'} ms (${r.seconds.toFixed(1)} s)`,
  ];
  if (r.floored.length) lines.push(`floored to 0.001 ms (indistinguishable from overhead): ${r.floored.join('; ')}`);
  if (r.report) {
    lines.push(`prediction error over ${r.report.count} random architectures (measured whole network vs table):`);
    lines.push(`  exact lookup: ${fmtStats(r.report.exact)}`);
    lines.push(`  formula:      ${fmtStats(r.report.formula)}`);
  }
  return lines.join('\n') + '\n';
}

/** --target browser: prints the page's URL and waits for a browser; Ctrl-C cancels. */
async function inBrowser(
  input: Parameters<typeof profileLatency>[0],
  values: Record<string, unknown>,
  onProgress: (p: { phase: string; done: number; total: number }) => void,
) {
  const backend = checkBackendPreference((values.backend as string | undefined) ?? 'auto');
  const log = (line: string) => process.stderr.write(`profile: ${line}\n`);
  const { signal, release } = abortOnSignals();
  try {
    return await profileLatencyInBrowser(
      { ...input, backend, port: intFlag(values, 'port', 0) },
      { signal, onProgress, log, onListening: (url) => log(`open this page in the browser to profile (it stays on this machine):\n  ${url}`) },
    );
  } finally {
    release();
  }
}

export const profileCommand: CliCommand = {
  name: 'profile',
  summary: 'measure a latency table for a search space on this backend',
  usage,
  async run(argv) {
    const { values } = parseFlags('profile', argv, {
      space: { type: 'string' },
      out: { type: 'string' },
      repeats: { type: 'string' },
      warmup: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      stat: { type: 'string' },
      device: { type: 'string' },
      json: { type: 'boolean' },
      target: { type: 'string' },
      backend: { type: 'string' },
      port: { type: 'string' },
    });
    const target = (values.target as string | undefined) ?? 'node';
    if (target !== 'node' && target !== 'browser') throw new InvalidInputError(`--target must be node or browser, got '${target}'`);
    if (target === 'node' && (values.backend !== undefined || values.port !== undefined))
      throw new InvalidInputError('--backend and --port apply to --target browser only');
    const space = resolveSpace(requireFlag(values, 'space', 'profile'));
    const stat = (values.stat as string | undefined) ?? DEFAULT_STATISTIC;
    if (!(STATISTICS as readonly string[]).includes(stat)) throw new InvalidInputError(`--stat must be one of ${STATISTICS.join(', ')}, got '${stat}'`);
    const opts = {
      repeats: intFlag(values, 'repeats', 1),
      warmup: intFlag(values, 'warmup', 0),
      samples: intFlag(values, 'samples', 0),
      seed: intFlag(values, 'seed', 0),
      statistic: stat as Statistic,
      device: values.device as string | undefined,
    };
    const out = (values.out as string | undefined) ?? `latency-${space.name}.json`;
    try {
      // Fail before a long profile, not after it.
      fs.accessSync(path.dirname(path.resolve(out)), fs.constants.W_OK);
    } catch (err) {
      throw new InvalidInputError(`--out '${out}': its directory is not writable (${(err as Error).message})`, { cause: err });
    }
    const labels: Record<string, string> = { 'profile build': 'profile: building models', 'profile measure': 'profile: timing rounds' };
    const progress = new Map<string, ProgressReporter>();
    const input = { space, out: path.resolve(out), ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
    const onProgress = (p: { phase: string; done: number; total: number }) =>
      (progress.get(p.phase) ?? progress.set(p.phase, new ProgressReporter(labels[p.phase] ?? p.phase)).get(p.phase)!).update({
        done: p.done,
        total: p.total,
        detail: '',
      });
    const fromBrowser = target === 'browser' ? await inBrowser(input, values, onProgress) : undefined;
    const result = fromBrowser ?? (await profileLatency(input, { onProgress }));
    if (values.json) {
      const browser = fromBrowser ? { backend: fromBrowser.backend, backendDetail: fromBrowser.backendDetail, userAgent: fromBrowser.userAgent } : undefined;
      process.stdout.write(
        JSON.stringify({
          out,
          seconds: result.seconds,
          table: result.table,
          report: result.report ?? null,
          floored: result.floored,
          ...(browser ? { browser } : {}),
        }) + '\n',
      );
    } else {
      process.stdout.write(humanReport(result, out));
    }
    return 0;
  },
};
