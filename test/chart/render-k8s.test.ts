/**
 * k8s/ (plain manifests for installs without Helm) must be exactly what scripts/render-k8s.sh renders
 * from the chart today; and the check must notice a stale file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, helmBinary, parseAll } from './helm';

function check(root: string) {
  return spawnSync('bash', [join(root, 'scripts', 'render-k8s.sh'), '--check'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, HELM: helmBinary() },
  });
}

test('k8s/*.yaml are current: re-rendering the chart changes nothing', () => {
  const r = check(ROOT);
  assert.equal(r.status, 0, `k8s/ is stale; run bash scripts/render-k8s.sh\n${r.stderr}`);
});

test('the check fails on a stale k8s/ file, naming it and the fix', () => {
  const copy = mkdtempSync(join(tmpdir(), 'spnas-render-'));
  try {
    for (const d of ['helm', 'k8s', 'scripts']) cpSync(join(ROOT, d), join(copy, d), { recursive: true });
    const f = join(copy, 'k8s', 'spnas-gpu.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('nvidia.com/gpu: 1', 'nvidia.com/gpu: 2'));
    const r = check(copy);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /k8s\/spnas-gpu\.yaml is stale: run 'bash scripts\/render-k8s\.sh'/);
    assert.doesNotMatch(r.stderr, /k8s\/spnas\.yaml is stale/);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test('k8s/spnas.yaml: a Namespace enforcing the restricted Pod Security Standard first, then every object in it', () => {
  const objs = parseAll(readFileSync(join(ROOT, 'k8s', 'spnas.yaml'), 'utf8'));
  assert.equal(objs[0]!.kind, 'Namespace');
  assert.equal(objs[0]!.metadata.name, 'spnas');
  assert.equal(objs[0]!.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
  for (const o of objs.slice(1)) assert.equal(o.metadata.namespace, 'spnas', `${o.kind}/${o.metadata.name}`);
  assert.ok(objs.some((o) => o.kind === 'Deployment'));
});
