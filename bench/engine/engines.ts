/**
 * One bench, three engines (issue 24 point 5): the same training steps in spnas (tfjs-node, eager),
 * Python TensorFlow as one `tf.function` (train_step_tf.py) and PyTorch eager on the CPU
 * (train_step_torch.py), in ONE run with interleaved rounds (each round times one step of every
 * engine x network in rotating order, plus a float32 matMul for the peak), so the shared machine's
 * noise hits all alike. Networks: the search step's supernet (batch 64, as `spnas search`) and the
 * retraining step of derived children with the `fast` recipe (batch 128, as the final retraining).
 * Before timing, each Python network's trainable parameter count and logits shape are checked against
 * the spnas network (a mismatch stops the bench).
 *
 * Engines: spnas, tf (tf.function, TF's default threads and allocator), tf-bfc (the same with the BFC
 * host allocator spnas's loadTf selects), tf-seq (the same graph with one inter-op
 * thread: no two ops run at once, as in eager execution), tf-seq-plain (also without grappler's graph
 * rewrites), torch-cl (PyTorch in channels_last) and torch (PyTorch's default NCHW, whose depthwise
 * filter gradient is ~20x slower here: minutes per round).
 *
 * Reports per engine and network: median wall and process-CPU ms per step, cores busy (CPU / wall),
 * images/s, GFLOP/s (3 x 2 x forward MACs) and % of the matmul peak; per network the ratios
 * spnas / tf.function and spnas / PyTorch three ways (median of per-round ratios, CPU-time ratio, best
 * times). Writes bench/engine/results-engines.json.
 *
 *   bash bench/engine/setup-python-engines.sh     # once: a venv with tensorflow-cpu and torch
 *   node --import tsx bench/engine/engines.ts [--space cifar-small] [--rounds 8] [--warmup 2]
 *        [--search-batch 64] [--child-batch 128] [--children name=arch;...] [--engines spnas,tf,torch-cl]
 *        [--no-supernet] [--torch-threads 2] [--out bench/engine/results-engines.json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { loadTf } from '../../src/backend/tf';
import { trainConfigForRecipe } from '../../src/config/recipes';
import { parseSearchConfig } from '../../src/config/training-config';
import { Supernet } from '../../src/nas/supernet';
import { createChildTrainer } from '../../src/nas/train-child';
import { createSearchStep, searchOptimizer } from '../../src/nas/train-step';
import { defaultTableFor } from '../../src/latency/default-tables';
import { architectureFromString, largestArchitecture } from '../../src/space/architecture';
import { architectureMacs } from '../../src/space/flops';
import { getPreset } from '../../src/space/presets';
import { argMap, CIFAR } from '../nas/common';
import { benchPython, PythonStepper, pythonModuleVersion, pythonSpec, writeBatchFile, type ChildSpec } from './python-stepper';
import { loadBatch, median, quantile, timed } from './step-bench';

const DEFAULT_CHILDREN = [
  'quickstart-final=k5e6+se,skip,k5e6+se,skip,k5e6,skip,k5e6+se,skip,k5e6+se,skip',
  'no-se=k5e6,skip,k5e6,skip,k5e6,skip,k5e6,skip,k5e6,skip',
].join(';');
const ENGINES = ['spnas', 'tf', 'tf-bfc', 'tf-seq', 'tf-seq-plain', 'torch', 'torch-cl'] as const;
type Engine = (typeof ENGINES)[number];
const ENGINE_LABEL: Record<Engine, string> = {
  spnas: 'spnas (tfjs-node eager)',
  tf: 'Python TF tf.function',
  'tf-bfc': 'tf.function, BFC host allocator (as spnas)',
  'tf-seq': 'tf.function, inter-op 1 (no concurrent ops)',
  'tf-seq-plain': 'tf.function, inter-op 1, no grappler',
  torch: 'PyTorch eager (NCHW)',
  'torch-cl': 'PyTorch eager (channels_last)',
};

interface Variant {
  engine: Engine;
  network: string;
  batch: number;
  macs: number;
  params: number;
  run: () => Promise<{ wall: number; cpu: number }>;
  times: number[];
  cpu: number[];
}

async function main(): Promise<void> {
  const a = argMap(process.argv.slice(2));
  const space = getPreset(a.space ?? 'cifar-small');
  const rounds = Number(a.rounds ?? 8);
  const warmup = Number(a.warmup ?? 2);
  const searchB = Number(a['search-batch'] ?? 64);
  const childB = Number(a['child-batch'] ?? 128);
  const torchThreads = Number(a['torch-threads'] ?? 2);
  const engines = (a.engines ?? 'spnas,tf,torch-cl').split(',') as Engine[];
  for (const e of engines) if (!ENGINES.includes(e)) throw new Error(`--engines: unknown engine '${e}' (${ENGINES.join(', ')})`);
  const out = a.out ?? path.join(__dirname, 'results-engines.json');
  const children = (a.children ?? DEFAULT_CHILDREN).split(';').map((e) => {
    const i = e.indexOf('=');
    if (i < 0) throw new Error(`--children: '${e}' is not name=architecture`);
    return { name: e.slice(0, i), archString: e.slice(i + 1), arch: architectureFromString(space, e.slice(i + 1)) };
  });
  const withSupernet = a['no-supernet'] === undefined;

  const { tf } = loadTf();
  const load0 = os.loadavg();
  const searchBatch = await loadBatch(space, searchB, a.data ?? CIFAR);
  const childBatch = await loadBatch(space, childB, a.data ?? CIFAR);
  const table = defaultTableFor(space);
  const searchCfg = parseSearchConfig({ batchSize: searchB, seed: 0 });
  const childCfg = trainConfigForRecipe('fast', { batchSize: childB, seed: 0 });
  const variants: Variant[] = [];
  const count = (vs: TF.Variable[]) => vs.reduce((s, v) => s + v.size, 0);

  // spnas: exactly the product's steps
  const net = new Supernet(tf, space, 0, searchCfg.indicatorNorm);
  const supernetMacs = architectureMacs(space, largestArchitecture(space)).total;
  const supernetParams = count([...net.params.trainable].map(([, v]) => v));
  if (withSupernet && engines.includes('spnas')) {
    const step = createSearchStep({ tf, space, config: searchCfg, table, net, opt: searchOptimizer(tf, net, searchCfg), warmupSteps: 0 });
    let s = 0;
    variants.push(spnasVariant('supernet', searchB, supernetMacs, supernetParams, () => void step(searchBatch, s++, 0)));
  }
  const childParams = new Map<string, number>();
  for (const c of children) {
    const tr = createChildTrainer(tf, space, c.arch, childCfg);
    childParams.set(c.name, count(tr.model.trainableWeights.map((w) => w.read() as TF.Variable)));
    if (!engines.includes('spnas')) continue;
    let s = 0;
    variants.push(
      spnasVariant(`child:${c.name}`, childB, architectureMacs(space, c.arch).total, childParams.get(c.name)!, () => void tr.step(childBatch, s++, 1)),
    );
  }

  // the Python engines, one process each, stepped over a pipe inside the same rounds
  const python = benchPython();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spnas-engines-'));
  const searchData = writeBatchFile(path.join(tmp, 'search.bin'), searchBatch);
  const childData = writeBatchFile(path.join(tmp, 'child.bin'), childBatch);
  const childSpecs: ChildSpec[] = children.map((c) => ({ name: c.name, layers: c.arch.layers, batch: childB, data: childData, config: childCfg }));
  const specPath = path.join(tmp, 'spec.json');
  fs.writeFileSync(specPath, JSON.stringify(pythonSpec(net, searchCfg, table, searchB, withSupernet ? searchData : undefined, childSpecs)));
  const versions: Record<string, string | undefined> = { python };
  const procs: PythonStepper[] = [];
  const pyInfo: Record<string, unknown> = {};
  for (const engine of engines.filter((e) => e !== 'spnas')) {
    const isTf = engine.startsWith('tf');
    const module = isTf ? 'tensorflow' : 'torch';
    versions[module] ??= pythonModuleVersion(python, module);
    if (!versions[module])
      throw new Error(`${module} does not import in ${python}: run bash bench/engine/setup-python-engines.sh (or drop '${engine}' from --engines)`);
    console.error(`[bench] starting ${ENGINE_LABEL[engine]} (${module} ${versions[module]}): building and warming up...`);
    const tfArgs: Partial<Record<Engine, string[]>> = { 'tf-seq': ['--inter-op', '1'], 'tf-seq-plain': ['--inter-op', '1', '--no-grappler'] };
    const args = isTf
      ? ['--spec', specPath, '--warm', withSupernet ? 'graph' : '', ...(tfArgs[engine] ?? [])]
      : ['--spec', specPath, '--threads', String(torchThreads), ...(engine === 'torch-cl' ? ['--channels-last'] : [])];
    // spnas's loadTf sets TF_CPU_ALLOCATOR_USE_BFC=true for itself; the Python engines get TF's default unless 'tf-bfc'
    const env = { TF_CPU_ALLOCATOR_USE_BFC: engine === 'tf-bfc' ? 'true' : 'false' };
    const proc = PythonStepper.start(path.join(__dirname, isTf ? 'train_step_tf.py' : 'train_step_torch.py'), args, python, env);
    procs.push(proc);
    const info = await proc.next();
    pyInfo[engine] = info;
    const nets = info.networks as Record<string, { params: number; logits: number[] }>;
    const check = (network: string, params: number, batch: number) => {
      const n = nets[network];
      if (!n || n.params !== params || n.logits.join('x') !== `${batch}x${space.numClasses}`)
        throw new Error(
          `${engine} ${network}: ${JSON.stringify(n)} does not match spnas (${params} trainable parameters, logits ${batch}x${space.numClasses})`,
        );
    };
    const pyVariant = (network: string, cmd: string, batch: number, macs: number, params: number) => {
      check(network, params, batch);
      variants.push({
        engine,
        network,
        batch,
        macs,
        params,
        run: async () => {
          const r = await proc.request(cmd);
          return { wall: r.ms as number, cpu: r.cpuMs as number }; // timed inside Python, not the pipe round trip
        },
        times: [],
        cpu: [],
      });
    };
    if (withSupernet) pyVariant('supernet', isTf ? 'graph' : 'supernet', searchB, supernetMacs, supernetParams);
    for (const c of children)
      pyVariant(`child:${c.name}`, isTf ? `child-graph:${c.name}` : `child:${c.name}`, childB, architectureMacs(space, c.arch).total, childParams.get(c.name)!);
  }

  const n = 2048;
  const ma = tf.randomNormal([n, n], 0, 1, 'float32', 1) as TF.Tensor2D;
  const mb = tf.randomNormal([n, n], 0, 1, 'float32', 2) as TF.Tensor2D;
  const matmulTimes: number[] = [];
  const loadAt: number[] = [];
  console.error(
    `[bench] ${space.name}: ${warmup} warm-up + ${rounds} rounds over ${variants.length} variants (load ${load0.map((l) => l.toFixed(2)).join(' ')})`,
  );
  for (let r = 0; r < warmup + rounds; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length]!);
    for (const v of order) {
      const t = await v.run();
      if (r >= warmup) {
        v.times.push(t.wall);
        v.cpu.push(t.cpu);
      }
    }
    const mm = await timed(() => tf.tidy(() => void tf.matMul(ma, mb).dataSync()));
    if (r >= warmup) matmulTimes.push(mm.wall);
    loadAt.push(os.loadavg()[0]!);
    console.error(
      `[bench] round ${r + 1}/${warmup + rounds}, load ${loadAt.at(-1)!.toFixed(1)}: ${order.map((v) => `${v.engine} ${v.network} ${(v.times.at(-1) ?? NaN).toFixed(0)}`).join(', ')}`,
    );
  }
  for (const p of procs) await p.close();
  fs.rmSync(tmp, { recursive: true, force: true });
  const load1 = os.loadavg();

  const peak = (2 * n ** 3) / (median(matmulTimes) / 1e3) / 1e9;
  const rows = variants.map((v) => {
    const ms = median(v.times);
    const gflops = (6 * v.macs * v.batch) / (ms / 1e3) / 1e9;
    return {
      engine: v.engine,
      what: ENGINE_LABEL[v.engine],
      network: v.network,
      batch: v.batch,
      params: v.params,
      forwardMacsPerImage: v.macs,
      medianMs: ms,
      p10Ms: quantile(v.times, 0.1),
      p90Ms: quantile(v.times, 0.9),
      minMs: Math.min(...v.times),
      medianCpuMs: median(v.cpu),
      cores: median(v.cpu.map((c, i) => c / v.times[i]!)),
      imagesPerSec: (v.batch * 1e3) / ms,
      gflops,
      fractionOfPeak: gflops / peak,
      times: v.times,
      cpuTimes: v.cpu,
    };
  });
  const find = (engine: Engine, network: string) => variants.find((v) => v.engine === engine && v.network === network);
  const ratios: Record<string, { paired: number; cpu: number; best: number }> = {};
  for (const network of [...new Set(variants.map((v) => v.network))]) {
    const s = find('spnas', network);
    for (const other of engines.filter((e) => e !== 'spnas')) {
      const o = find(other, network);
      if (!s || !o) continue;
      ratios[`${network}: spnas / ${other}`] = {
        paired: median(s.times.map((t, i) => t / o.times[i]!)),
        cpu: median(s.cpu) / median(o.cpu),
        best: Math.min(...s.times) / Math.min(...o.times),
      };
    }
  }
  const machine = {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    node: process.version,
    tfjs: tf.version.tfjs,
    loadAvgBefore: load0,
    loadAvgAfter: load1,
    loadAvgPerRound: loadAt,
    threads: `spnas and Python TF: libtensorflow defaults (intra_op = inter_op = 0: one thread per core = ${os.cpus().length}); PyTorch: torch.set_num_threads(${torchThreads}), inter-op default`,
  };
  const result = {
    date: new Date().toISOString(),
    command: `node --import tsx bench/engine/engines.ts ${process.argv.slice(2).join(' ')}`.trim(),
    space: space.name,
    data: childBatch.source,
    rounds,
    warmupRounds: warmup,
    children: Object.fromEntries(children.map((c) => [c.name, c.archString])),
    machine,
    versions,
    python: pyInfo,
    matmul: { n, medianMs: median(matmulTimes), gflops: peak },
    rows,
    ratios,
  };
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

  const f = (x: number, d = 1) => x.toFixed(d);
  console.log(`\n### Training step, three engines: ${space.name}, ${rounds} interleaved rounds\n`);
  console.log(
    `${machine.cpus} cores (${machine.model}), load ${load0.map((l) => f(l, 2)).join('/')} before, ${load1.map((l) => f(l, 2)).join('/')} after; matMul ${n}: ${f(peak)} GFLOP/s (the peak). ${machine.threads}.\n`,
  );
  console.log('| network | engine | batch | ms/step (p10-p90) | CPU ms | cores | images/s | GFLOP/s | % of peak |\n|---|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.network} | ${r.what} | ${r.batch} | ${f(r.medianMs, 0)} (${f(r.p10Ms, 0)}-${f(r.p90Ms, 0)}) | ${f(r.medianCpuMs, 0)} | ${f(r.cores, 2)} | ${f(r.imagesPerSec)} | ${f(r.gflops)} | ${f(100 * r.fractionOfPeak)}% |`,
    );
  console.log('\n| ratio | paired wall | CPU time | best wall |\n|---|---|---|---|');
  for (const [k, v] of Object.entries(ratios)) console.log(`| ${k} | ${f(v.paired, 2)} | ${f(v.cpu, 2)} | ${f(v.best, 2)} |`);
  console.log(`\nwritten ${path.relative(process.cwd(), out)}`);
}

function spnasVariant(network: string, batch: number, macs: number, params: number, step: () => void): Variant {
  return { engine: 'spnas', network, batch, macs, params, run: () => timed(step), times: [], cpu: [] };
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
