/** Use case: the discrete architecture of a search's newest checkpoint (finished or not). */
import { z } from 'zod';
import { loadTf } from '../backend/tf';
import { parseOrThrow } from '../config/zod-issues';
import { InvalidInputError } from '../errors';
import { deriveArchitecture as deriveFromSupernet } from '../nas/derive';
import { predictedRuntime } from '../nas/search';
import { Supernet } from '../nas/supernet';
import { restoreVariables } from '../nas/variable-checkpoint';
import { parseLatencyTable } from '../latency/latency-table';
import { architectureToString, type Architecture } from '../space/architecture';
import { parseSearchSpace } from '../space/spec';
import { CheckpointStore } from '../storage/checkpoint-store';
import { openStore } from '../storage/open-store';
import type { UseCaseContext } from './context';
import { readJson, writeJson } from '../storage/json-store';

export const deriveInputSchema = z
  .object({
    /** A search's run directory. */
    run: z.string().min(1),
    /** Key to write the architecture to inside the run directory. */
    key: z.string().min(1).default('architecture.json'),
  })
  .strict();
export type DeriveInput = z.input<typeof deriveInputSchema>;

export interface DeriveOutput {
  architecture: Architecture;
  architectureString: string;
  predictedMs: number;
  step: number;
  checkpoint: string;
  wrote: string;
}

export async function deriveArchitecture(raw: DeriveInput, _ctx: UseCaseContext = {}): Promise<DeriveOutput> {
  const input = parseOrThrow(deriveInputSchema, raw, 'derive input');
  const store = openStore(input.run);
  const run = (await readJson(store, 'run.json')) as
    { kind?: string; space?: unknown; config?: { seed: number; indicatorNorm?: 'relative' | 'l2' }; table?: unknown } | undefined;
  if (!run || run.kind !== 'search') throw new InvalidInputError(`${store.uri}: no search run.json there; give the output directory of a search`);
  const space = parseSearchSpace(run.space, `${store.uri}/run.json space`);
  const table = parseLatencyTable(run.table, `${store.uri}/run.json table`);
  const ckpt = await new CheckpointStore(store, 'checkpoints').latest();
  if (!ckpt) throw new InvalidInputError(`${store.uri}: no complete checkpoint yet; wait for the search's first checkpoint`);
  const { tf } = loadTf();
  const net = new Supernet(tf, space, run.config?.seed ?? 0, run.config?.indicatorNorm ?? 'relative');
  try {
    restoreVariables(
      tf,
      net.params.all().map(([n, v]) => [`net/${n}`, v] as [string, typeof v]),
      ckpt.tensors,
      ckpt.uri,
    );
    const architecture = deriveFromSupernet(tf, net);
    const predictedMs = predictedRuntime(tf, net, table);
    await writeJson(store, input.key, architecture);
    return {
      architecture,
      architectureString: architectureToString(architecture),
      predictedMs,
      step: ckpt.step,
      checkpoint: ckpt.uri,
      wrote: `${store.uri}/${input.key}`,
    };
  } finally {
    net.dispose();
  }
}
