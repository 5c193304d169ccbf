/** Seeded random networks of a space, each measured as a trial's network is (paired with the device's reference). */
import { loadTf } from '../../src/backend/tf';
import { sampleArchitectures } from '../../src/latency/sample-architectures';
import { buildChild } from '../../src/nas/child-builder';
import { architectureToString, type Architecture } from '../../src/space/architecture';
import type { SearchSpace } from '../../src/space/spec';
import { measureOnDevice } from '../../src/usecases/device-reference';

export interface MeasuredNetwork {
  architecture: Architecture;
  arch: string;
  measuredMs: number;
  low: number;
  high: number;
  ratio?: number;
  referenceMs?: number;
  rawMeanMs?: number;
}

/** `args`: the bench's --networks, --seed and --repeats (pairs per network). */
export async function measureRandomNetworks(
  space: SearchSpace,
  args: { networks?: string; seed?: string; repeats?: string },
  cacheDir: string,
): Promise<MeasuredNetwork[]> {
  const { tf } = loadTf();
  const out: MeasuredNetwork[] = [];
  for (const [i, architecture] of sampleArchitectures(space, Number(args.networks), Number(args.seed)).entries()) {
    const model = buildChild(tf, space, architecture, { seed: i });
    try {
      const l = await measureOnDevice(space, model, { cacheDir, pairs: Number(args.repeats) });
      out.push({
        architecture,
        arch: architectureToString(architecture),
        measuredMs: l.latencyMs,
        low: l.latencyLowMs,
        high: l.latencyHighMs,
        ratio: l.latencyRatio,
        referenceMs: l.latencyReferenceMs,
        rawMeanMs: l.latencyRawMeanMs,
      });
    } finally {
      model.dispose();
    }
  }
  return out;
}
