/**
 * Kubernetes resource quantities ("500m", "2", "6Gi", "1.5G", "1e3") as numbers, to compare a
 * study's request with an install's ceiling. Pure.
 */
import { InvalidInputError } from '../errors';

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/**
 * The quantity's value in base units (cores, bytes, devices).
 * @throws InvalidInputError naming `what` when it is not a quantity.
 */
export function parseQuantity(q: string | number, what: string): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q.trim());
  if (!m) throw new InvalidInputError(`${what}: '${q}' is not a Kubernetes quantity (e.g. 500m or 2 for CPU, 6Gi for memory)`);
  return Number(m[1]) * SUFFIX[m[2] ?? '']!;
}
