// A writer process for run-lease-processes.test.ts. Acquires the lease of a run directory, then
// saves checkpoints (resuming from the latest one) and reports each event as one JSON line on stdout.
// Usage: node --import tsx test/storage/lease-worker.ts '<json Config>'   (AWS_* from the environment)
// stdin: 'release' -> release the lease and exit 0; 'save <n>' -> save n more checkpoints, then report 'idle'.
import { createInterface } from 'node:readline';
import { CheckpointStore, openStore, RunLease } from '../../src/storage';
import { SpnasError } from '../../src/errors';

interface Config {
  uri: string;
  owner: string;
  ttlMs: number;
  waitMs: number;
  /** Checkpoints to save right after acquiring; with `loop`, keep saving until stopped. */
  saves: number;
  loop?: boolean;
}

const cfg = JSON.parse(process.argv[2]!) as Config;
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const store = openStore(cfg.uri, { retry: { attempts: 2, baseDelayMs: 50, maxDelayMs: 100 } });
  const lease = await RunLease.acquire(store, { owner: cfg.owner, ttlMs: cfg.ttlMs, waitMs: cfg.waitMs, pollMs: 50 });
  say({ event: 'acquired', generation: lease.generation, expiresAt: lease.expiresAt });
  const ckpts = new CheckpointStore(lease.fencedStore, 'checkpoints', { keep: 3 });
  let step = (await ckpts.latest())?.step ?? 0;
  say({ event: 'resumed', step });
  const save = async () => {
    step++;
    const v = step * 1000 + lease.generation;
    await ckpts.save(step, { tensors: { w: { dtype: 'float32', shape: [4096], data: new Float32Array(4096).fill(v) } }, state: { owner: cfg.owner, step } });
    say({ event: 'saved', step });
  };
  for (let i = 0; i < cfg.saves || cfg.loop; i++) {
    await save();
    if (cfg.loop) await sleep(100);
  }
  say({ event: 'idle' });
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.trim().split(' ');
    if (cmd === 'release') break;
    if (cmd === 'save') {
      for (let i = 0; i < Number(arg); i++) await save();
      say({ event: 'idle' });
    }
  }
  await lease.release();
  say({ event: 'released' });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    say({
      event: 'error',
      code: err instanceof SpnasError ? err.code : 'UNTYPED',
      retryable: err instanceof SpnasError && err.retryable,
      message: (err as Error).message,
    });
    process.exit(3);
  },
);
