/**
 * The spnas CPU image (built without a Docker daemon by scripts/image/build-image.sh) run as real pods
 * by a real kubelet (test/support/real-node.ts): its contract as the chart and the Job template rely on
 * it. Node.js 24 inside, the native TensorFlow backend loads, the entrypoint is tini then spnas, the
 * user is 10001, the root filesystem is read-only with a writable emptyDir /tmp, and nothing of the
 * build stage is left in it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeConfig, V1Container } from '@kubernetes/client-node';
import { defaultJobTemplate } from '../../src/k8s';
import { startKubeCluster, type KubeCluster } from '../support/kube-cluster';
import { startRealNode, type RealNode } from '../support/real-node';
import { runPod } from '../support/real-node-pods';

let cluster: KubeCluster;
let node: RealNode;
let kc: KubeConfig;

before(async () => {
  cluster = await startKubeCluster();
  node = await startRealNode(cluster);
  kc = cluster.adminConfig();
});
after(async () => {
  await node?.stop();
  await cluster?.stop();
});

/** The template's hardened pod spec (non-root 10001, read-only root, emptyDir /tmp, no token) with this image. */
function hardenedPod(container: Partial<V1Container>) {
  const spec = defaultJobTemplate().spec!.template.spec!;
  const main = { ...spec.containers[0]!, image: node.image.name, imagePullPolicy: 'IfNotPresent', ...container };
  return { ...spec, containers: [main] };
}

test('the image runs its default command (spnas --help) under tini as uid 10001', { timeout: 300_000 }, async () => {
  const ns = await cluster.createNamespace('image');
  const r = await runPod(kc, ns, 'default-cmd', hardenedPod({ command: undefined, args: undefined }));
  assert.equal(r.phase, 'Succeeded', r.log);
  assert.equal(r.exitCode, 0);
  assert.match(r.log, /^usage: spnas <command>/m);
  assert.deepEqual(node.image.config.Entrypoint, ['/usr/bin/tini', '--', 'spnas']);
  assert.equal(node.image.config.User, '10001:10001');
  assert.ok(node.image.config.Env.includes('SPNAS_TF_BACKEND=cpu'), node.image.config.Env.join(' '));
});

test('inside a pod: Node.js 24, the native TensorFlow backend, uid 10001, a read-only root and a writable /tmp', { timeout: 300_000 }, async () => {
  const ns = await cluster.createNamespace('image');
  // One pod, one shell: each line prints a `key=value` the assertions read back from the pod's log.
  const script = [
    'echo node=$(node --version)',
    'echo uid=$(id -u) gid=$(id -g)',
    'echo backend=$(spnas backend --json)',
    'touch /opt/spnas/probe 2>/dev/null && echo root=writable || echo root=read-only',
    'touch /tmp/probe && echo tmp=writable',
    'echo pid1=$(tr "\\0" " " </proc/1/cmdline)',
    // Nothing of the build stage: compilers, npm, python, headers, dev dependencies.
    'for t in gcc g++ cc make python3 npm npx node-gyp yarn corepack; do command -v $t >/dev/null && echo forbidden=$t; done',
    'for p in typescript eslint @temporalio/testing; do [ -e /opt/spnas/node_modules/$p ] && echo forbidden=$p; done',
    'find /opt/spnas/node_modules/@tensorflow \\( -name "*.h" -o -name "*.cc" -o -name "*.o" \\) | sed "s/^/forbidden=/"',
    'echo done',
  ].join('\n');
  const r = await runPod(kc, ns, 'checks', hardenedPod({ command: ['/usr/bin/tini', '--', 'sh', '-c', script] }));
  assert.equal(r.phase, 'Succeeded', r.log);
  const values = (key: string) => [...r.log.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
  const log = `the pod's log:\n${r.log}`;
  assert.equal(values('node')[0], `v${node.image.node}`, log);
  assert.match(values('node')[0]!, /^v24\./);
  assert.deepEqual(values('uid'), ['10001 gid=10001'], log);
  assert.match(values('backend')[0] ?? '', /^\{.*\}$/, log);
  const backend = JSON.parse(values('backend')[0]!) as { kind: string; backend: string };
  assert.equal(backend.kind, 'cpu');
  assert.equal(backend.backend, 'tensorflow');
  assert.deepEqual(values('root'), ['read-only'], log);
  assert.deepEqual(values('tmp'), ['writable'], log);
  assert.match(values('pid1')[0] ?? '', /^\/usr\/bin\/tini -- sh -c/, log);
  assert.deepEqual(values('forbidden'), [], log);
  assert.match(r.log, /^done$/m);
});
