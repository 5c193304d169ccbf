// Child process for the checkpoint crash test: saves checkpoint `step`, and after every tensor file
// is written but before the manifest, tells the parent and waits to be killed (SIGKILL).
// Usage: node --import tsx test/storage/crash-writer.ts <store-uri> <prefix> <step>   (env: AWS_*)
import { openStore, CheckpointStore, type ObjectStore } from '../../src/storage';

const [uri, prefix, stepArg] = process.argv.slice(2);
const real = openStore(uri!);
// Same store, but a put of the manifest first announces itself and then never completes.
const store: ObjectStore = Object.assign(Object.create(real) as ObjectStore, {
  put: async (key: string, data: Uint8Array | string) => {
    if (key.endsWith('/manifest.json')) {
      process.stdout.write('tensors-written\n');
      await new Promise(() => undefined);
    }
    return real.put(key, data);
  },
});
const step = Number(stepArg);
const big = new Float32Array(5_000_000).fill(step);
void new CheckpointStore(store, prefix!).save(step, {
  tensors: { small: { dtype: 'int32', shape: [2], data: new Int32Array([step, step]) }, big: { dtype: 'float32', shape: [5_000_000], data: big } },
  state: { step },
});
