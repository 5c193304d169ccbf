/**
 * loadTf puts libtensorflow's host tensors in its BFC pool (TF_CPU_ALLOCATOR_USE_BFC) for speed
 * (docs/engine-performance.md). The allocator must not change a single value: child retraining and
 * search steps give the same bytes with the pool and with plain malloc, in separate processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const script = path.join(__dirname, '..', 'support', 'train-steps-digest.ts');

function digest(env: Record<string, string | undefined>): { allocatorBfc: string | null; digest: string } {
  const e = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k];
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { env: e, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { allocatorBfc: string | null; digest: string };
}

test('the BFC host allocator is the default, an explicit setting wins, and training values do not depend on it', () => {
  const byDefault = digest({ TF_CPU_ALLOCATOR_USE_BFC: undefined });
  const malloc = digest({ TF_CPU_ALLOCATOR_USE_BFC: 'false' });
  assert.equal(byDefault.allocatorBfc, 'true');
  assert.equal(malloc.allocatorBfc, 'false');
  assert.match(byDefault.digest, /^[0-9a-f]{64}$/);
  assert.equal(byDefault.digest, malloc.digest, 'weights, slots and BN statistics after 4 child and 4 search steps');
});
