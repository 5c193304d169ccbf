/**
 * Bench (not a test): is a measured latency stable between runs? Measures the same N networks in two
 * separate processes, one after the other, exactly as a study's evaluate step measures a trial's
 * network (nas/measure-latency.ts: batch 1, warm-up, `--repeats` timed calls, the mean with its 95%
 * bootstrap interval), and reports each network's run-2 / run-1 ratio and the share within +-3% (the
 * goal of issue 24 point 4), with the machine and load average before and after. Run it on an idle
 * machine; under load it measures the load.
 *
 *   npm run bench -- latency-stability [--space cifar-small] [--networks 20] [--repeats 30] [--seed 3]
 *
 * Writes bench/latency/results/stability-<stamp>.json.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { machineNote, resultName } from './machine';

const { values } = parseArgs({
  options: {
    space: { type: 'string', default: 'cifar-small' },
    networks: { type: 'string', default: '20' },
    repeats: { type: 'string', default: '30' },
    seed: { type: 'string', default: '3' },
    child: { type: 'boolean', default: false },
  },
});

interface Measured {
  arch: string;
  ms: number;
  low: number;
  high: number;
}

async function child(): Promise<void> {
  const { loadTf } = await import('../../src/backend/tf');
  const { getPreset } = await import('../../src/space/presets');
  const { sampleArchitectures } = await import('../../src/latency/sample-architectures');
  const { buildChild } = await import('../../src/nas/child-builder');
  const { measureModelLatency } = await import('../../src/nas/measure-latency');
  const { architectureToString, largestArchitecture } = await import('../../src/space/architecture');
  const { tf } = loadTf();
  const space = getPreset(values.space!);
  const archs = [largestArchitecture(space), ...sampleArchitectures(space, Number(values.networks) - 1, Number(values.seed))];
  const shape = [space.inputSize, space.inputSize, space.inputChannels];
  const out: Measured[] = [];
  // one model at a time, built, measured and disposed, as the evaluate step does
  for (const [i, arch] of archs.entries()) {
    const model = buildChild(tf, space, arch, { seed: i });
    const l = await measureModelLatency(tf, model, shape, Number(values.repeats));
    model.dispose();
    out.push({ arch: architectureToString(arch), ms: l.latencyMs, low: l.latencyLowMs, high: l.latencyHighMs });
  }
  process.stdout.write(JSON.stringify(out));
}

function run(): Measured[] {
  const args = [
    '--import',
    'tsx',
    __filename,
    '--child',
    '--space',
    values.space!,
    '--networks',
    values.networks!,
    '--repeats',
    values.repeats!,
    '--seed',
    values.seed!,
  ];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`measuring process failed (${r.status})`);
  return JSON.parse(r.stdout) as Measured[];
}

function main(): void {
  const before = machineNote();
  const a = run();
  const b = run();
  const after = machineNote();
  const rows = a.map((x, i) => ({ arch: x.arch, run1: x, run2: b[i]!, ratio: b[i]!.ms / x.ms }));
  const within3 = rows.filter((r) => Math.abs(r.ratio - 1) <= 0.03 + 1e-12).length / rows.length;
  const maxDev = Math.max(...rows.map((r) => Math.abs(r.ratio - 1)));
  const intervalHalfWidth = rows.map((r) => (r.run1.high - r.run1.low) / 2 / r.run1.ms);
  console.log('| network | run 1 ms [95% interval] | run 2 ms [95% interval] | run 2 / run 1 |');
  console.log('|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| \`${r.arch}\` | ${r.run1.ms.toFixed(2)} [${r.run1.low.toFixed(2)}, ${r.run1.high.toFixed(2)}] | ${r.run2.ms.toFixed(2)} [${r.run2.low.toFixed(2)}, ${r.run2.high.toFixed(2)}] | ${r.ratio.toFixed(3)} |`,
    );
  console.log(
    `\n${rows.length} networks of ${values.space}, ${values.repeats} timed calls each: ${(100 * within3).toFixed(0)}% within +-3% between the two processes, largest deviation ${(100 * maxDev).toFixed(1)}%; median interval half-width ${(100 * intervalHalfWidth.sort((x, y) => x - y)[intervalHalfWidth.length >> 1]!).toFixed(1)}%; load average ${before.loadavg[0]} -> ${after.loadavg[0]} on ${before.cores} cores`,
  );
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, resultName('stability'));
  fs.writeFileSync(file, JSON.stringify({ space: values.space, repeats: Number(values.repeats), within3, maxDev, before, after, rows }, null, 1));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

if (values.child) child().catch((err) => ((process.exitCode = 1), console.error(err)));
else main();
