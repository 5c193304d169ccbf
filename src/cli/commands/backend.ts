import type { CliCommand } from '../command';
import { loadTf } from '../../backend/tf';

export const backendCommand: CliCommand = {
  name: 'backend',
  summary: 'print which TensorFlow.js backend this machine uses',
  usage: 'usage: spnas backend [--json]\n\nPrints the backend kind (gpu | cpu | js) and the tfjs backend name.\n',
  async run(argv) {
    const b = loadTf();
    const info = { kind: b.kind, backend: b.name, tfjs: b.tf.version.tfjs };
    process.stdout.write(argv.includes('--json') ? JSON.stringify(info) + '\n' : `${b.kind} (tfjs backend '${b.name}', tfjs ${info.tfjs})\n`);
    return 0;
  },
};
