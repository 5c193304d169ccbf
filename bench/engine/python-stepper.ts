/**
 * The Python side of the engine benches: which Python to run (the bench venv of
 * setup-python-engines.sh when it exists), whether a module imports there, a process that runs one
 * training step per request over a pipe (train_step_tf.py, train_step_torch.py) and answers with
 * the time it measured itself, and the spec those scripts build their networks from.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type * as TF from '@tensorflow/tfjs';
import type { SearchConfig, TrainConfig } from '../../src/config/training-config';
import type { Supernet } from '../../src/nas/supernet';
import type { Architecture } from '../../src/space/architecture';
import { seChannels } from '../../src/space/flops';
import type { SearchSpace } from '../../src/space/spec';

/** $SPNAS_BENCH_PYTHON, else the bench venv's python (setup-python-engines.sh), else python3. */
export function benchPython(): string {
  if (process.env.SPNAS_BENCH_PYTHON) return process.env.SPNAS_BENCH_PYTHON;
  const venv = path.join(process.env.SPNAS_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'spnas'), 'bench-venv', 'bin', 'python');
  return fs.existsSync(venv) ? venv : 'python3';
}

/** The version of `module` (tensorflow, torch) importable by `python`, or undefined. */
export function pythonModuleVersion(python: string, module: string): string | undefined {
  const r = spawnSync(python, ['-c', `import ${module} as m; print(m.__version__)`], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  return r.status === 0 ? r.stdout.trim().split('\n').pop() : undefined;
}

const NOISE =
  /oneDNN custom operations|cpu_feature_guard|To enable the following instructions|rebuild TensorFlow|Unable to register|computation placer|WARNING: All log messages|absl::InitializeLog/;

/** A Python process that runs one step per request line and answers with one JSON line. */
export class PythonStepper {
  private readonly lines: AsyncIterator<string>;
  constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    this.lines = readline.createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  }
  static start(script: string, args: string[], python = 'python3', env: NodeJS.ProcessEnv = {}): PythonStepper {
    const proc = spawn(python, [script, ...args, '--serve'], {
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    proc.stderr.on('data', (d: Buffer) => {
      const s = d.toString();
      if (!NOISE.test(s)) process.stderr.write(`[${path.basename(script)}] ${s}`);
    });
    return new PythonStepper(proc);
  }
  async next(): Promise<Record<string, unknown>> {
    for (;;) {
      const r = await this.lines.next();
      if (r.done) throw new Error('python process ended');
      const line = r.value.trim();
      if (line.startsWith('{')) return JSON.parse(line) as Record<string, unknown>;
    }
  }
  async request(cmd: string): Promise<Record<string, unknown>> {
    this.proc.stdin.write(`${cmd}\n`);
    const r = await this.next();
    if (r.error) throw new Error(`python: ${String(r.error)}`);
    return r;
  }
  async close(): Promise<void> {
    this.proc.stdin.end('quit\n');
    await new Promise((res) => this.proc.once('exit', res));
  }
}

/** A derived child for the Python scripts: its ops, batch file and retraining config. */
export interface ChildSpec {
  name: string;
  layers: Architecture['layers'];
  batch: number;
  data: string;
  config: TrainConfig;
}

/** Everything the Python scripts need to build the same supernet, children and steps (shapes from the layout, not re-derived). */
export function pythonSpec(
  net: Supernet,
  cfg: SearchConfig,
  table: { fixedMs: number; layers: unknown[] },
  batch: number,
  dataPath: string | undefined,
  children: ChildSpec[] = [],
) {
  const space: SearchSpace = net.space;
  const normScales = net.normScales.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, (v as TF.Tensor).dataSync()[0]])));
  const layout = net.layout;
  return {
    space,
    layout,
    seChannels: layout.searchable.map((l) => seChannels(l.inChannels, space.search.seRatio)),
    normScales,
    config: cfg,
    table,
    batch,
    data: dataPath,
    children,
  };
}

/** Writes a batch (float32 NHWC images, then int32 labels) where the Python scripts read it. */
export function writeBatchFile(file: string, b: { images: Float32Array; labels: Int32Array }): string {
  fs.writeFileSync(
    file,
    Buffer.concat([
      Buffer.from(b.images.buffer, b.images.byteOffset, b.images.byteLength),
      Buffer.from(b.labels.buffer, b.labels.byteOffset, b.labels.byteLength),
    ]),
  );
  return file;
}
