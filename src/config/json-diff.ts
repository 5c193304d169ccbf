/**
 * Where two JSON documents differ, as dotted paths with both values: a rerun that is refused because
 * its inputs differ from the run directory's run.json says which input changed (`config.epochs: 2 ->
 * 3`), not merely that something did. Pure.
 */

/** Short JSON of a value for messages (long values elided in the middle). */
function brief(v: unknown): string {
  const s = v === undefined ? '(absent)' : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 28)}...${s.slice(-28)}` : s;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Up to `max` differences between `was` and `now` (JSON values), depth first in key order, each as
 * `path: old -> new`. Arrays of different length differ as a whole. Empty when equal as JSON.
 */
export function jsonDifferences(was: unknown, now: unknown, max = 3): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (out.length >= max) return;
    if (isObject(a) && isObject(b)) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) walk(a[k], b[k], path ? `${path}.${k}` : k);
    } else if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((x, i) => walk(x, b[i], `${path}[${i}]`));
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      out.push(`${path || '(root)'}: ${brief(a)} -> ${brief(b)}`);
    }
  };
  walk(JSON.parse(JSON.stringify(was ?? null)), JSON.parse(JSON.stringify(now ?? null)), '');
  return out;
}
