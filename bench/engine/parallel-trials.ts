/**
 * Two trials side by side: total retraining throughput (images/s) of ONE process with libtensorflow's
 * default two intra-op threads against TWO processes with one intra-op thread each, running at the
 * same time on the two cores (what a study with parallelism 2 does). Every process runs the product's
 * retraining step (createChildTrainer, `fast` recipe) of the same network on the same batch. Blocks
 * alternate (one, two, one, two, ...): in a block each process runs `--steps` steps; throughput is
 * all images stepped over the block's wall time (the slower process's end).
 *
 *   node --import tsx bench/engine/parallel-trials.ts [--arch <arch>] [--batch 128] [--steps 6] [--blocks 6]
 *        [--out bench/engine/results-parallel-trials.json]
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { loadTf } from '../../src/backend/tf';
import { trainConfigForRecipe } from '../../src/config/recipes';
import { createChildTrainer } from '../../src/nas/train-child';
import { architectureFromString } from '../../src/space/architecture';
import { getPreset } from '../../src/space/presets';
import { argMap, CIFAR } from '../nas/common';
import { loadBatch, median, timed } from './step-bench';

const QUICKSTART_FINAL = 'k5e6+se,skip,k5e6+se,skip,k5e6,skip,k5e6+se,skip,k5e6+se,skip';

/** Worker: builds the trainer, answers 'ready', then runs `n` steps per line 'n' and answers with wall/CPU ms. */
async function worker(a: Record<string, string>): Promise<void> {
  const { tf } = loadTf();
  const space = getPreset('cifar-small');
  const cfg = trainConfigForRecipe('fast', { batchSize: Number(a.batch), seed: 0 });
  const batch = await loadBatch(space, cfg.batchSize, a.data ?? CIFAR);
  const { step } = createChildTrainer(tf, space, architectureFromString(space, a.arch!), cfg);
  let s = 0;
  for (let i = 0; i < 2; i++) step(batch, s++, 1);
  process.stdout.write('ready\n');
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const n = Number(line);
    if (!(n > 0)) break;
    const t = await timed(() => {
      for (let i = 0; i < n; i++) step(batch, s++, 1);
    });
    process.stdout.write(`${JSON.stringify(t)}\n`);
  }
}

class Worker {
  private readonly lines: AsyncIterator<string>;
  constructor(private readonly proc: ChildProcessByStdio<Writable, Readable, null>) {
    this.lines = readline.createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  }
  static start(args: string[], threads: number | undefined): Worker {
    const env = { ...process.env, ...(threads ? { TF_NUM_INTRAOP_THREADS: String(threads) } : {}) };
    const proc = spawn(process.execPath, ['--import', 'tsx', __filename, '--worker', ...args], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    return new Worker(proc);
  }
  async line(): Promise<string> {
    const r = await this.lines.next();
    if (r.done) throw new Error('worker ended');
    return r.value;
  }
  async run(n: number): Promise<{ wall: number; cpu: number }> {
    this.proc.stdin.write(`${n}\n`);
    return JSON.parse(await this.line()) as { wall: number; cpu: number };
  }
  close(): void {
    this.proc.stdin.end('0\n');
  }
}

async function main(): Promise<void> {
  const a = argMap(process.argv.slice(2));
  if (a.worker) return worker(a);
  const arch = a.arch ?? QUICKSTART_FINAL;
  const batch = Number(a.batch ?? 128);
  const steps = Number(a.steps ?? 6);
  const blocks = Number(a.blocks ?? 6);
  const out = a.out ?? path.join(__dirname, 'results-parallel-trials.json');
  architectureFromString(getPreset('cifar-small'), arch); // a typo fails before any process starts
  const args = ['--arch', arch, '--batch', String(batch), ...(a.data ? ['--data', a.data] : [])];
  const one = Worker.start(args, undefined);
  const pair = [Worker.start(args, 1), Worker.start(args, 1)];
  for (const w of [one, ...pair]) if ((await w.line()) !== 'ready') throw new Error('worker did not start');
  const load0 = os.loadavg();
  const results = { one: [] as number[], two: [] as number[], oneCpu: [] as number[], twoCpu: [] as number[] };
  for (let b = 0; b < blocks; b++) {
    const t1 = await one.run(steps);
    results.one.push((steps * batch * 1e3) / t1.wall);
    results.oneCpu.push(t1.cpu / t1.wall);
    const t2 = await Promise.all(pair.map((w) => w.run(steps)));
    const wall = Math.max(...t2.map((t) => t.wall));
    results.two.push((2 * steps * batch * 1e3) / wall);
    results.twoCpu.push(t2.reduce((s, t) => s + t.cpu, 0) / wall);
    console.error(
      `[bench] block ${b + 1}/${blocks}, load ${os.loadavg()[0]!.toFixed(1)}: one process (2 threads) ${results.one.at(-1)!.toFixed(1)} img/s, two processes (1 thread each) ${results.two.at(-1)!.toFixed(1)} img/s`,
    );
  }
  for (const w of [one, ...pair]) w.close();
  const ratio = median(results.two.map((t, i) => t / results.one[i]!));
  const result = {
    date: new Date().toISOString(),
    command: `node --import tsx bench/engine/parallel-trials.ts ${process.argv.slice(2).join(' ')}`.trim(),
    architecture: arch,
    batch,
    stepsPerBlock: steps,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAvgBefore: load0, loadAvgAfter: os.loadavg() },
    oneProcessTwoThreads: { imagesPerSec: median(results.one), coresBusy: median(results.oneCpu), perBlock: results.one },
    twoProcessesOneThread: { imagesPerSec: median(results.two), coresBusy: median(results.twoCpu), perBlock: results.two },
    throughputRatio: ratio,
  };
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `one process, 2 intra-op threads: ${median(results.one).toFixed(1)} images/s (${median(results.oneCpu).toFixed(2)} cores busy); ` +
      `two processes, 1 thread each: ${median(results.two).toFixed(1)} images/s in total (${median(results.twoCpu).toFixed(2)} cores); ratio ${ratio.toFixed(2)} (median of per-block ratios). Written ${path.relative(process.cwd(), out)}`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
