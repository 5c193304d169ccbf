/**
 * A/B of the product's own loops: the median step time of `runSearch` (cifar-small, batch 64) and of
 * `trainChild` (the `fast` recipe, batch 128, a derived child) in two checkouts of spnas (say, the
 * commit before an engine change and after), run alternately in fresh processes on the same machine
 * (A, B, A, B, ...), so drifting load hits both alike. Each run loads the loops from its checkout's
 * src/ and feeds them seeded synthetic batches from memory; the step time is the time between the
 * loop's progress events (wall and process CPU), after `--skip` warm-up steps. On a loaded machine
 * the CPU time is the steadier figure.
 *
 *   node --import tsx bench/engine/loop-ab.ts --a <checkout> --b <checkout> [--pairs 3] [--steps 12]
 *        [--skip 2] [--arch <child>] [--out bench/engine/results-loop-ab.json]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { argMap } from '../nas/common';
import { median } from './step-bench';

const QUICKSTART_FINAL = 'k5e6+se,skip,k5e6+se,skip,k5e6,skip,k5e6+se,skip,k5e6+se,skip';

/** One run in this process: `loop` (search | child) from `root`'s sources; prints the step times as JSON. */
async function runOnce(root: string, loop: string, steps: number, arch: string): Promise<void> {
  const load = (p: string) => import(path.join(root, p)) as Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const { loadTf } = await load('src/backend/tf.ts');
  const { getPreset } = await load('src/space/presets.ts');
  const { tf } = loadTf();
  const space = getPreset('cifar-small');
  const B = loop === 'search' ? 64 : 128;
  let s = 12345;
  const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const n = B * space.inputSize * space.inputSize * space.inputChannels;
  const images = new Float32Array(n).map(() => (rnd() + rnd() + rnd() - 1.5) * 2);
  const labels = Int32Array.from({ length: B }, (_, i) => i % space.numClasses);
  const source = {
    batchesPerEpoch: steps,
    async *batches(_epoch: number, start = 0) {
      for (let i = start; i < steps; i++) yield { images, labels, size: B, index: i };
    },
  };
  const stamps: Array<[bigint, number]> = [];
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e3;
  };
  const onProgress = () => stamps.push([process.hrtime.bigint(), cpuMs()]);
  onProgress();
  if (loop === 'search') {
    const { parseSearchConfig } = await load('src/config/training-config.ts');
    const { defaultTableFor } = await load('src/latency/default-tables.ts');
    const { runSearch } = await load('src/nas/search.ts');
    const config = parseSearchConfig({ batchSize: B, seed: 0, epochs: 1, warmupEpochs: 0.25, checkpointEvery: 1e6 });
    await runSearch({ tf, space, config, table: defaultTableFor(space), train: source, onProgress });
  } else {
    const { trainConfigForRecipe } = await load('src/config/recipes.ts');
    const { architectureFromString } = await load('src/space/architecture.ts');
    const { trainChild } = await load('src/nas/train-child.ts');
    const config = trainConfigForRecipe('fast', { batchSize: B, seed: 0, epochs: 1, checkpointEvery: 1e6 });
    await trainChild({ tf, space, architecture: architectureFromString(space, arch), config, train: source, onProgress });
  }
  const wall = stamps.slice(1).map(([t], i) => Number(t - stamps[i]![0]) / 1e6);
  const cpu = stamps.slice(1).map(([, c], i) => c - stamps[i]![1]);
  process.stdout.write(`${JSON.stringify({ wall, cpu })}\n`);
}

async function main(): Promise<void> {
  const a = argMap(process.argv.slice(2));
  const steps = Number(a.steps ?? 12);
  const arch = a.arch ?? QUICKSTART_FINAL;
  if (a.run) return runOnce(a.root!, a.run, steps, arch);
  if (!a.a || !a.b) throw new Error('--a and --b: the two checkouts to compare (each with node_modules)');
  const pairs = Number(a.pairs ?? 3);
  const skip = Number(a.skip ?? 2);
  const out = a.out ?? path.join(__dirname, 'results-loop-ab.json');
  const loops = (a.loops ?? 'child,search').split(',');
  const sha = (dir: string) => spawnSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const sides = { A: path.resolve(a.a), B: path.resolve(a.b) };
  const res: Record<string, Record<'A' | 'B' | 'cpuA' | 'cpuB', number[]>> = Object.fromEntries(loops.map((l) => [l, { A: [], B: [], cpuA: [], cpuB: [] }]));
  const load0 = os.loadavg();
  for (let p = 0; p < pairs; p++) {
    for (const loop of loops) {
      for (const side of (p % 2 === 0 ? ['A', 'B'] : ['B', 'A']) as Array<'A' | 'B'>) {
        const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--run', loop, '--root', sides[side], '--steps', String(steps), '--arch', arch], {
          cwd: sides[side],
          encoding: 'utf8',
          env: process.env,
        });
        if (r.status !== 0) throw new Error(`${loop} in ${sides[side]} failed: ${r.stderr}`);
        const t = JSON.parse(r.stdout.trim().split('\n').pop()!) as { wall: number[]; cpu: number[] };
        res[loop]![side].push(median(t.wall.slice(skip)));
        res[loop]![side === 'A' ? 'cpuA' : 'cpuB'].push(median(t.cpu.slice(skip)));
        console.error(
          `[ab] pair ${p + 1}/${pairs} ${loop} ${side}: ${res[loop]![side].at(-1)!.toFixed(0)} ms/step, CPU ${res[loop]![side === 'A' ? 'cpuA' : 'cpuB'].at(-1)!.toFixed(0)} ms (load ${os.loadavg()[0]!.toFixed(1)})`,
        );
      }
    }
  }
  const summary = Object.fromEntries(
    loops.map((l) => {
      const { A, B, cpuA, cpuB } = res[l]!;
      return [
        l,
        {
          medianMsA: median(A),
          medianMsB: median(B),
          ratioBoverA: median(B.map((b, i) => b / A[i]!)),
          medianCpuMsA: median(cpuA),
          medianCpuMsB: median(cpuB),
          cpuRatioBoverA: median(cpuB.map((b, i) => b / cpuA[i]!)),
          runsA: A,
          runsB: B,
          cpuRunsA: cpuA,
          cpuRunsB: cpuB,
        },
      ];
    }),
  );
  const result = {
    date: new Date().toISOString(),
    command: `node --import tsx bench/engine/loop-ab.ts ${process.argv.slice(2).join(' ')}`,
    a: { dir: sides.A, commit: sha(sides.A) },
    b: { dir: sides.B, commit: sha(sides.B) },
    stepsPerRun: steps,
    skippedSteps: skip,
    childArchitecture: arch,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAvgBefore: load0, loadAvgAfter: os.loadavg() },
    loops: summary,
  };
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  for (const [l, v] of Object.entries(summary))
    console.log(
      `${l}: A ${v.medianMsA.toFixed(0)} ms/step (CPU ${v.medianCpuMsA.toFixed(0)}), B ${v.medianMsB.toFixed(0)} ms/step (CPU ${v.medianCpuMsB.toFixed(0)}), B/A wall ${v.ratioBoverA.toFixed(3)}, CPU ${v.cpuRatioBoverA.toFixed(3)} (medians of per-pair ratios)`,
    );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
