/**
 * Engine training-step benchmark (issue 3, "How it is shown"): in ONE process and interleaved rounds
 * (so machine noise hits every variant alike), the median step time of
 *   supernet        the real search step (src/nas/train-step.ts createSearchStep, lambda on)
 *   supernet-warmup the same step in warm-up (lambda 0, indicator dropout)
 *   child           the largest child (all k5e6, +SE when searchable) on the same step machinery
 *                   (ChildNet + RMSProp + CE/label smoothing/weight decay: createChildStep)
 *   multipath       a DARTS-style supernet: all candidates computed and mixed (multipath.ts)
 *   child-layers    the largest child trained through tf.layers' model.apply (reference)
 *   py-eager / py-graph / py-graph-eigen  the same supernet step in Python TensorFlow
 *                   (train_step_tf.py): eager, tf.function, and tf.function with the depthwise
 *                   filter-gradient kernel spnas uses; driven step by step over a pipe inside the
 *                   same rounds (only when `python3 -c "import tensorflow"` works; see
 *                   setup-python-tf.sh)
 * plus a large float32 matMul every round (the machine's measured peak, under the same load).
 * Reports wall and process-CPU time per step, images/s, achieved GFLOP/s (3 x 2 x forward MACs) and
 * the ratios three ways (median of per-round ratios, CPU-time ratio, best-time ratio); writes
 * bench/engine/results.json. docs/engine-performance.md explains the method and the results.
 *
 *   node --import tsx bench/engine/train-step.ts [--space cifar-small] [--batch 64] [--steps 15]
 *        [--warmup 2] [--python auto|off] [--skip variant,...] [--data <tar|folder>] [--out bench/engine/results.json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { parseSearchConfig, parseTrainConfig } from '../../src/config/training-config';
import { buildChild } from '../../src/nas/child-builder';
import { Rmsprop } from '../../src/nas/optimizer';
import { Supernet } from '../../src/nas/supernet';
import { createChildTrainer, namedModelVariables } from '../../src/nas/train-child';
import { createSearchStep, searchOptimizer } from '../../src/nas/train-step';
import { defaultTableFor } from '../../src/latency/default-tables';
import { largestArchitecture } from '../../src/space/architecture';
import { architectureMacs } from '../../src/space/flops';
import { getPreset } from '../../src/space/presets';
import { MultipathSupernet, createMultipathStep } from './multipath';
import { benchPython, PythonStepper, pythonModuleVersion, pythonSpec, writeBatchFile } from './python-stepper';
import { kernelCount, loadBatch, median, quantile, timed } from './step-bench';

interface Args {
  space: string;
  batch: number;
  steps: number;
  warmup: number;
  python: 'auto' | 'off';
  data: string;
  out: string;
  matmul: number;
  skip: string[];
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    space: 'cifar-small',
    batch: 64,
    steps: 15,
    warmup: 2,
    python: 'auto',
    data: '/work/shared/data/cifar10-jpeg/train-000000.tar',
    out: path.join(__dirname, 'results.json'),
    matmul: 2048,
    skip: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = argv[i + 1];
    const need = () => {
      if (v === undefined) throw new Error(`${k} needs a value`);
      i++;
      return v;
    };
    if (k === '--space') a.space = need();
    else if (k === '--batch') a.batch = Number(need());
    else if (k === '--steps') a.steps = Number(need());
    else if (k === '--warmup') a.warmup = Number(need());
    else if (k === '--python') a.python = need() === 'off' ? 'off' : 'auto';
    else if (k === '--data') a.data = need();
    else if (k === '--out') a.out = need();
    else if (k === '--matmul') a.matmul = Number(need());
    else if (k === '--skip') a.skip = need().split(',');
    else if (k === '--help' || k === '-h') {
      console.log(
        'usage: node --import tsx bench/engine/train-step.ts [--space cifar-small] [--batch 64] [--steps 15] [--warmup 2] [--python auto|off] [--skip child-layers,...] [--data <uri>] [--out results.json]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
  }
  if (!(a.batch > 0 && a.steps > 0 && a.warmup >= 0)) throw new Error('--batch and --steps must be positive, --warmup >= 0');
  return a;
}

interface Variant {
  name: string;
  what: string;
  /** Forward MACs per image. */
  macs: number;
  step: () => void | Promise<void>;
  /** Wall and process-CPU milliseconds per timed round. */
  times: number[];
  cpu: number[];
  kernels?: number;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { tf } = loadTf();
  const space = getPreset(args.space);
  const B = args.batch;
  const load0 = os.loadavg();
  const batch = await loadBatch(space, B, args.data);
  const table = defaultTableFor(space);
  const searchCfg = parseSearchConfig({ batchSize: B, seed: 0 });
  const trainCfg = parseTrainConfig({ batchSize: B, seed: 0 });
  const largest = largestArchitecture(space);
  const childMacs = architectureMacs(space, largest).total;
  const variants: Variant[] = [];

  // (a) the search step, lambda on (after warm-up) and in warm-up (indicator dropout, lambda 0)
  for (const warm of [false, true]) {
    const net = new Supernet(tf, space, 0, searchCfg.indicatorNorm);
    const opt = searchOptimizer(tf, net, searchCfg);
    const step = createSearchStep({ tf, space, config: searchCfg, table, net, opt, warmupSteps: warm ? 1e9 : 0 });
    let s = 0;
    variants.push({
      name: warm ? 'supernet-warmup' : 'supernet',
      what: warm
        ? 'search step in warm-up (lambda 0, indicator dropout 0.4)'
        : 'search step (createSearchStep: fwd, CE+LS, WD, lambda*ln R, grads, RMSProp, BN stats)',
      macs: childMacs,
      step: () => void step(batch, s++, 0),
      times: [],
      cpu: [],
    });
  }
  // (b) the largest child on the same step machinery
  {
    const { step } = createChildTrainer(tf, space, largest, { ...trainCfg, optimizer: { ...trainCfg.optimizer, lrWarmupEpochs: 0 } });
    let s = 0;
    variants.push({
      name: 'child',
      what: `largest child (${space.search.se ? 'k5e6+se' : 'k5e6'} everywhere), ChildNet + createChildStep`,
      macs: childMacs,
      step: () => void step(batch, s++, 0),
      times: [],
      cpu: [],
    });

    // (d) the same child through tf.layers (model.apply; tf.layers' own BN and its moving averages)
    const model2 = buildChild(tf, space, largest, { seed: 0 });
    const vars2 = model2.trainableWeights.map((w) => w.read() as TF.Variable);
    const named2 = namedModelVariables(model2).filter(([, v]) => vars2.includes(v));
    const decayed2 = named2.filter(([n]) => !/_bn\//.test(n)).map(([, v]) => v);
    const opt2 = new Rmsprop(
      tf,
      named2.map(([name, variable]) => ({ name, variable, lrMultiplier: 1 })),
      trainCfg.optimizer,
    );
    const lr2 = (trainCfg.optimizer.lrPer256 * B) / 256;
    variants.push({
      name: 'child-layers',
      what: 'largest child through tf.layers model.apply (reference)',
      macs: childMacs,
      step: () => {
        const { value, grads } = tf.tidy(() => {
          const x = tf.tensor4d(batch.images, [B, space.inputSize, space.inputSize, space.inputChannels]);
          const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), space.numClasses);
          return tf.variableGrads(() => {
            const logits = model2.apply(x, { training: true }) as TF.Tensor2D;
            const ce = tf.losses.softmaxCrossEntropy(y, logits, undefined, trainCfg.labelSmoothing) as TF.Scalar;
            return tf.add(ce, tf.mul(0.5 * trainCfg.weightDecay, tf.addN(decayed2.map((v) => tf.sum(tf.square(v)))))) as TF.Scalar;
          }, vars2);
        });
        value.dataSync();
        value.dispose();
        opt2.apply(grads, lr2);
        tf.dispose(Object.values(grads));
      },
      times: [],
      cpu: [],
    });
  }
  // (c) the multi-path supernet
  {
    const net = new MultipathSupernet(tf, space, 0);
    const { step } = createMultipathStep(tf, net, searchCfg, table);
    let s = 0;
    variants.push({
      name: 'multipath',
      what: 'DARTS-style multi-path supernet: 4 MBConv candidates (+skip) per layer, softmax(alpha) mix',
      macs: net.forwardMacs(),
      step: () => void step(batch, s++, 0),
      times: [],
      cpu: [],
    });
  }

  // the matmul peak, measured inside the same rounds
  const n = args.matmul;
  const ma = tf.randomNormal([n, n], 0, 1, 'float32', 1) as TF.Tensor2D;
  const mb = tf.randomNormal([n, n], 0, 1, 'float32', 2) as TF.Tensor2D;
  const matmulTimes: number[] = [];
  const matmul = () => tf.tidy(() => void tf.matMul(ma, mb).dataSync());

  // Python TensorFlow, same supernet step, stepped over a pipe inside the rounds
  let py: PythonStepper | undefined;
  let pyInfo: Record<string, unknown> | undefined;
  let pyStatus = 'not installed';
  const tmpFiles: string[] = [];
  const python = benchPython();
  const pyVersion = args.python === 'off' ? undefined : pythonModuleVersion(python, 'tensorflow');
  if (args.python === 'off') pyStatus = 'skipped (--python off)';
  else if (pyVersion) {
    const specPath = path.join(os.tmpdir(), `spnas-bench-${process.pid}.json`);
    const dataPath = path.join(os.tmpdir(), `spnas-bench-${process.pid}.bin`);
    writeBatchFile(dataPath, batch);
    const specNet = new Supernet(tf, space, 0, searchCfg.indicatorNorm);
    fs.writeFileSync(specPath, JSON.stringify(pythonSpec(specNet, searchCfg, table, B, dataPath)));
    specNet.dispose();
    tmpFiles.push(specPath, dataPath);
    console.error(`[bench] starting Python TensorFlow ${pyVersion} (tracing tf.function and warming up)...`);
    py = PythonStepper.start(path.join(__dirname, 'train_step_tf.py'), ['--spec', specPath], python);
    pyInfo = await py.next(); // ready line: thread settings etc.
    pyStatus = `tensorflow ${pyVersion}`;
    const pyWhat = {
      eager: 'same supernet step, Python TF eager',
      graph: 'same supernet step, Python TF tf.function',
      'graph-eigen': 'tf.function + the Eigen depthwise filter gradient spnas uses',
    };
    for (const mode of ['eager', 'graph', 'graph-eigen'] as const) {
      variants.push({
        name: `py-${mode}`,
        what: pyWhat[mode],
        macs: childMacs,
        step: async () => {
          const r = await py!.request(mode);
          pyLast = { wall: r.ms as number, cpu: r.cpuMs as number };
        },
        times: [],
        cpu: [],
      });
    }
  }
  let pyLast = { wall: 0, cpu: 0 };
  for (const name of args.skip) {
    const i = variants.findIndex((v) => v.name === name);
    if (i < 0) throw new Error(`--skip ${name}: no such variant (${variants.map((v) => v.name).join(', ')})`);
    variants.splice(i, 1);
  }

  console.error(
    `[bench] ${space.name}, batch ${B}, ${args.warmup} warm-up + ${args.steps} timed rounds over ${variants.length} variants (load avg ${load0.map((l) => l.toFixed(2)).join(' ')})`,
  );
  const timeOne = async (v: Variant): Promise<{ wall: number; cpu: number }> => {
    if (v.name.startsWith('py-')) {
      await v.step();
      return pyLast; // timed inside Python (step incl. reading the loss), not the pipe round trip
    }
    return timed(v.step);
  };
  for (let r = 0; r < args.warmup + args.steps; r++) {
    // rotate the order every round so no variant always runs right after the same one
    const order = variants.map((_, i) => variants[(i + r) % variants.length]!);
    for (const v of order) {
      const t = await timeOne(v);
      if (r >= args.warmup) {
        v.times.push(t.wall);
        v.cpu.push(t.cpu);
      }
    }
    const t0 = process.hrtime.bigint();
    matmul();
    if (r >= args.warmup) matmulTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    console.error(
      `[bench] round ${r + 1}/${args.warmup + args.steps}${r < args.warmup ? ' (warm-up)' : ''}, load ${os.loadavg()[0]!.toFixed(1)}: ${order.map((v) => `${v.name} ${(v.times.at(-1) ?? NaN).toFixed(0)}`).join(', ')}`,
    );
  }
  // native kernels dispatched per step (one extra step each, outside the timing)
  for (const v of variants) if (!v.name.startsWith('py-')) v.kernels = await kernelCount(tf, v.step);
  const pyOps = py ? await py.request('ops') : undefined;
  if (py) await py.close();
  for (const p of tmpFiles) fs.rmSync(p, { force: true });
  const load1 = os.loadavg();

  // "% of peak" compares like with like: the median step against the median matmul of the same rounds
  const peak = (2 * n ** 3) / (median(matmulTimes) / 1e3) / 1e9;
  const bestPeak = (2 * n ** 3) / (Math.min(...matmulTimes) / 1e3) / 1e9;
  const rows = variants.map((v) => {
    const ms = median(v.times);
    const gflops = (3 * 2 * v.macs * B) / (ms / 1e3) / 1e9;
    return {
      name: v.name,
      what: v.what,
      medianMs: ms,
      minMs: Math.min(...v.times),
      p10Ms: quantile(v.times, 0.1),
      p90Ms: quantile(v.times, 0.9),
      medianCpuMs: median(v.cpu),
      imagesPerSec: (B * 1e3) / ms,
      forwardMacsPerImage: v.macs,
      trainGflopPerStep: (6 * v.macs * B) / 1e9,
      gflops,
      fractionOfPeak: gflops / peak,
      kernelsPerStep: v.kernels ?? (pyOps?.[v.name] as number | undefined),
      times: v.times,
      cpuTimes: v.cpu,
    };
  });
  const byName = new Map(variants.map((v) => [v.name, v]));
  /** a/b three ways: median of per-round ratios (pairs measured seconds apart), of medians of CPU time, of best times. */
  const ratio = (a: string, b: string, target: string) => {
    const va = byName.get(a);
    const vb = byName.get(b);
    if (!va || !vb) return { paired: undefined, cpu: undefined, best: undefined, target };
    return {
      paired: median(va.times.map((t, i) => t / vb.times[i]!)),
      cpu: median(va.cpu) / median(vb.cpu),
      best: Math.min(...va.times) / Math.min(...vb.times),
      target,
    };
  };
  const ratios = {
    'supernet / child': ratio('supernet', 'child', '<= 1.3'),
    'supernet-warmup / child': ratio('supernet-warmup', 'child', '<= 1.3'),
    'multipath / supernet': ratio('multipath', 'supernet', '>= 3'),
    'supernet / py-eager': ratio('supernet', 'py-eager', '<= 1.25'),
    'supernet / py-graph': ratio('supernet', 'py-graph', '<= 1.25'),
    'supernet / py-graph-eigen': ratio('supernet', 'py-graph-eigen', '(same kernels)'),
    'child-layers / child': ratio('child-layers', 'child', '(reference)'),
  };

  const cpu = os.cpus();
  const machine = {
    cpus: cpu.length,
    model: cpu[0]?.model,
    node: process.version,
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    loadAvgBefore: load0,
    loadAvgAfter: load1,
    threads:
      'tfjs-node: libtensorflow defaults (TFE context created without a config: intra_op = inter_op = 0, i.e. one thread per schedulable core = 2); Python TF: defaults too (see python.info)',
  };
  const result = {
    date: new Date().toISOString(),
    command: `node --import tsx bench/engine/train-step.ts --space ${args.space} --batch ${B} --steps ${args.steps} --warmup ${args.warmup}${args.skip.length ? ` --skip ${args.skip.join(',')}` : ''}`,
    space: space.name,
    batch: B,
    data: batch.source,
    rounds: args.steps,
    warmupRounds: args.warmup,
    machine,
    matmul: { n, medianMs: median(matmulTimes), gflops: peak, bestGflops: bestPeak },
    python: { status: pyStatus, info: pyInfo },
    rows,
    ratios,
  };
  fs.writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);

  const f = (x: number | undefined, d = 1) => (x === undefined ? 'n/a' : x.toFixed(d));
  console.log(`\n### Engine training step: ${space.name}, batch ${B}, ${args.steps} interleaved rounds\n`);
  console.log(
    `Machine: ${machine.cpus} cores (${machine.model}), load average ${load0.map((l) => f(l, 2)).join('/')} before, ${load1.map((l) => f(l, 2)).join('/')} after. ` +
      `float32 matMul ${n}x${n}: ${f(peak)} GFLOP/s median (best ${f(bestPeak)}), the "peak" below. Data: ${batch.source}. Python: ${pyStatus}.\n`,
  );
  console.log('| variant | ms/step median (p10-p90) | best | CPU ms/step | images/s | train GFLOP/step | GFLOP/s | % of peak | kernels/step |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${f(r.medianMs, 0)} (${f(r.p10Ms, 0)}-${f(r.p90Ms, 0)}) | ${f(r.minMs, 0)} | ${f(r.medianCpuMs, 0)} | ${f(r.imagesPerSec)} | ${f(r.trainGflopPerStep, 2)} | ${f(r.gflops)} | ${f(100 * r.fractionOfPeak)}% | ${r.kernelsPerStep ?? ''} |`,
    );
  }
  console.log('\n| ratio | paired wall (median of per-round ratios) | CPU time | best wall | target |\n|---|---|---|---|---|');
  for (const [k, v] of Object.entries(ratios)) console.log(`| ${k} | ${f(v.paired, 2)} | ${f(v.cpu, 2)} | ${f(v.best, 2)} | ${v.target} |`);
  console.log(`\nwritten ${path.relative(process.cwd(), args.out)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
