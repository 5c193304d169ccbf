/**
 * A short, stable content key for JSON values (cache keys such as a shared warm-up's directory):
 * canonical JSON (sorted keys) hashed with 64-bit FNV-1a. Pure and deterministic, so workflow code
 * can compute it. Not a security hash: it names cache entries whose inputs are also stored beside
 * them (run.json) and checked on use.
 */

/** JSON with object keys sorted at every level; undefined members dropped as JSON.stringify does. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** 16 hex digits of FNV-1a 64 over the UTF-16 code units of the canonical JSON. */
export function contentKey(v: unknown): string {
  const s = canonicalJson(v);
  // 64-bit arithmetic in two 32-bit halves (BigInt is avoided: it is slow and this runs in workflows).
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < s.length; i++) {
    lo ^= s.charCodeAt(i);
    // multiply (hi, lo) by the FNV prime 0x100000001b3 = 2^40 + 0x1b3
    const loMul = lo * 0x1b3;
    const carry = Math.floor(loMul / 0x100000000);
    const newLo = loMul >>> 0;
    hi = (Math.imul(hi, 0x1b3) + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = newLo;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
