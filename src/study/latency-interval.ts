/**
 * A measured latency's own 95% interval, carried beside it into trial results and final models (an
 * older worker's evaluation has none: then the field is absent). Pure.
 */
export function latencyInterval<K extends string>(m: { latencyLowMs?: number; latencyHighMs?: number }, key: K): Partial<Record<K, [number, number]>> {
  const { latencyLowMs: lo, latencyHighMs: hi } = m;
  if (lo === undefined || hi === undefined || !Number.isFinite(lo) || !Number.isFinite(hi)) return {};
  return { [key]: [lo, hi] } as Partial<Record<K, [number, number]>>;
}
