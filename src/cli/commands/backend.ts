import type { CliCommand } from '../command';
import { loadTf } from '../../backend/tf';

export const backendCommand: CliCommand = {
  name: 'backend',
  summary: 'print which TensorFlow.js backend and device this machine uses',
  usage:
    'usage: spnas backend [--json]\n\n' +
    'Loads the backend as every command does and runs one small op on it. Prints the binding\n' +
    '(gpu = @tensorflow/tfjs-node-gpu, cpu = @tensorflow/tfjs-node, js = pure JavaScript), the device\n' +
    "TensorFlow runs ops on, libtensorflow's version and why this choice. SPNAS_TF_BACKEND=gpu|cpu|js\n" +
    'overrides the automatic choice (docs/native-backend.md).\n',
  async run(argv) {
    const b = loadTf();
    // One op through the backend: a binding that loads but cannot execute fails here, not mid-search.
    const t = b.tf.matMul(b.tf.tensor2d([1, 2, 3, 4], [2, 2]), b.tf.tensor2d([5, 6, 7, 8], [2, 2]));
    const opCheck = Array.from(await t.data()).join(',') === '19,22,43,50' ? 'ok' : 'wrong result';
    const info = {
      kind: b.kind,
      backend: b.name,
      device: b.device,
      binding: b.binding ?? null,
      libtensorflow: b.libtensorflow ?? null,
      tfjs: b.tf.version.tfjs,
      opCheck,
      reason: b.reason,
    };
    if (argv.includes('--json')) process.stdout.write(JSON.stringify(info) + '\n');
    else
      process.stdout.write(
        `${b.kind} (${b.binding ?? 'pure JS'}; tfjs backend '${b.name}', tfjs ${info.tfjs}${b.libtensorflow ? `, libtensorflow ${b.libtensorflow}` : ''})\n` +
          `device: ${b.device}; op check: ${opCheck}\nwhy: ${b.reason}\n`,
      );
    return opCheck === 'ok' ? 0 : 1;
  },
};
