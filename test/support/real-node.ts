/**
 * A real node beside the test control plane (test/support/kube-cluster.ts): the kubelet from the same
 * kubebin (k8s.io/kubernetes v1.36.3), Debian's containerd 1.6 and runc, a CNI bridge, and the spnas
 * image that scripts/setup.d/real-node.sh built without a Docker daemon, imported into this node's
 * containerd. Pods scheduled to it run for real: the image's entrypoint, as uid 10001, with a
 * read-only root, signals, logs through the API server, eviction.
 *
 * Everything is the node's own (directory, sockets, runc state, network namespaces, cgroup root,
 * bridge and subnet), so it never touches a system containerd or another test's node. Needs root.
 * ~20-40 s to start (mostly importing the image). `stop()` removes every trace (real-node-cleanup.ts).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, chmodSync, writeFileSync, copyFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { KUBEBIN, type KubeCluster } from './kube-cluster';
import { signed } from './kube-pki';
import { cgroupHierarchies, removeNode, type NodeLeftovers } from './real-node-cleanup';
import { claimSharedRoot, type ClaimedRoot } from './real-node-root';
import { cniConflist, containerdConfig, kubeletConfig, kubeletKubeconfig, nodePaths, type BridgeNet } from './real-node-config';
import { freePort } from './s3-server';

const execFileP = promisify(execFile);
const REPO = resolve(__dirname, '..', '..');
/** Where scripts/setup.d/real-node.sh links the images it built (per clone; the builds are cached per machine). */
export const IMAGE_DIR = join(REPO, '.tools', 'image');
export const REAL_NODE = 'real-node';
/** Label on the real node (pods select it with a nodeSelector; the kwok nodes are `type=kwok`). */
export const REAL_NODE_LABEL = 'spnas.test/real-node';

/** image.json written by scripts/image/build-image.sh (and real-node.sh for the pause image). */
export interface ImageInfo {
  name: string;
  digest: string;
  key: string;
  archive: string;
  node?: string;
  layers: number;
  compressedBytes: number;
  unpackedBytes: number;
  buildSeconds?: number;
  config: { Entrypoint: string[]; Cmd?: string[]; User: string; WorkingDir: string; Env: string[] };
}

function readImageInfo(which: string, fix: string): ImageInfo {
  const file = join(IMAGE_DIR, which, 'image.json');
  if (!existsSync(file)) throw new Error(`no ${which} image at ${file}: ${fix}`);
  return JSON.parse(readFileSync(file, 'utf8')) as ImageInfo;
}

/**
 * The spnas CPU image for this checkout's sources. One built from other sources (edits since the
 * set-up) would test old code: it is rebuilt first (scripts/image/build-image.sh, minutes; the set-up
 * leaves that to the node tests so that re-running it stays a quick check).
 */
export async function spnasImage(): Promise<ImageInfo> {
  const script = join(REPO, 'scripts', 'image', 'build-image.sh');
  const key = (await execFileP('bash', [script, 'cpu', '--print-key'], { encoding: 'utf8' })).stdout.trim();
  const current = existsSync(join(IMAGE_DIR, 'spnas-cpu', 'image.json')) ? readImageInfo('spnas-cpu', '') : undefined;
  if (current?.key === key) return current;
  const log = join(tmpdir(), `spnas-build-image-${process.pid}.log`);
  try {
    await execFileP('bash', ['-c', `bash "$0" cpu >"$1" 2>&1`, script, log], { timeout: 3_600_000 });
  } catch (err) {
    throw new Error(`building the spnas image for this checkout failed (bash ${script} cpu):\n${readFileSync(log, 'utf8').slice(-3000)}`, { cause: err });
  }
  return readImageInfo('spnas-cpu', `bash ${script} cpu did not leave an image.json`);
}

export interface RealNode {
  name: string;
  /** The spnas image in this node's containerd (pods use it with imagePullPolicy IfNotPresent). */
  image: ImageInfo;
  /** The bridge address: the node's IP, the pods' gateway, where `expose` listens. */
  hostIp: string;
  dir: string;
  /** Milliseconds from the start to each phase. */
  startup: Record<string, number>;
  /** Makes a loopback server reachable from pods: forwards hostIp:<returned port> to 127.0.0.1:`port`. */
  expose(port: number): Promise<number>;
  /** Runs ctr against this node's containerd (namespace k8s.io). */
  ctr(args: string[]): Promise<string>;
  /** The containerd id and host PID of a pod's container (its PID 1: tini in the spnas image). */
  container(namespace: string, pod: string, container?: string): Promise<{ id: string; pid: number }>;
  /** Sends a signal to a container's PID 1 through the runtime, as a shutdown or `docker kill -s` would. */
  signal(namespace: string, pod: string, signal: NodeJS.Signals, container?: string): Promise<void>;
  stop(): Promise<void>;
}

const live = new Map<NodeLeftovers, ClaimedRoot | undefined>();
let hooked = false;
function hookExit(n: NodeLeftovers, root: ClaimedRoot | undefined): void {
  live.set(n, root);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const [l, r] of live) dismantle(l, r);
  });
}
function dismantle(n: NodeLeftovers, root: ClaimedRoot | undefined): void {
  const clean = removeNode(n);
  root?.release(clean);
  live.delete(n);
}

async function waitFor<T>(what: string, ms: number, procs: ChildProcess[], logs: string[], fn: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const dead = procs.find((p) => p.exitCode !== null || p.signalCode !== null);
    if (dead)
      throw new Error(`${dead.spawnfile} exited (${dead.exitCode ?? dead.signalCode}) while waiting for ${what}\n${logs.map((l) => tail(l)).join('\n')}`);
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}\n${logs.map((l) => tail(l)).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function tail(file: string, n = 2000): string {
  try {
    return `--- ${file}\n${readFileSync(file, 'utf8').slice(-n)}`;
  } catch {
    return '';
  }
}

/** A /24 in 10.200.0.0/13 that no route on this machine covers, and a bridge name of our own. */
async function pickNetwork(): Promise<BridgeNet> {
  const { stdout } = await execFileP('ip', ['-4', 'route'], { encoding: 'utf8' });
  for (;;) {
    const a = 200 + Math.floor(Math.random() * 8);
    const b = Math.floor(Math.random() * 256);
    if (stdout.includes(`10.${a}.${b}.`)) continue;
    return { bridge: `spnas${Math.random().toString(16).slice(2, 8)}`, subnet: `10.${a}.${b}.0/24`, gateway: `10.${a}.${b}.1` };
  }
}

function requireTools(): void {
  if (process.getuid?.() !== 0)
    throw new Error('a real node needs root (containerd, runc, mounts, cgroups, a bridge): run the node tests as root (npm run test:node; CI runs as root)');
  const missing = ['/usr/bin/containerd', '/usr/bin/ctr', '/usr/sbin/runc', '/usr/lib/cni/bridge', '/usr/lib/cni/host-local', '/usr/lib/cni/loopback'].filter(
    (f) => !existsSync(f),
  );
  if (missing.length)
    throw new Error(
      `missing ${missing.join(', ')}: run bash scripts/setup.sh (scripts/setup.d/real-node.sh installs containerd, runc and containernetworking-plugins)`,
    );
}

/** Starts the node and waits until it is Ready with both images imported. */
export async function startRealNode(cluster: KubeCluster, o: { name?: string } = {}): Promise<RealNode> {
  requireTools();
  const t0 = Date.now();
  const startup: Record<string, number> = {};
  const mark = (phase: string) => (startup[phase] = Date.now() - t0);
  const name = o.name ?? REAL_NODE;
  const [image, pause] = [await spnasImage(), readImageInfo('pause', 'run bash scripts/setup.sh (scripts/setup.d/real-node.sh builds it)')];
  const dir = mkdtempSync(join(tmpdir(), 'spnas-node-'));
  chmodSync(dir, 0o755);
  const shared = claimSharedRoot();
  const p = nodePaths(dir, shared?.root);
  const net = await pickNetwork();
  const id = net.bridge.slice('spnas'.length);
  const cgroupRoot = `/spnas-node-${id}`;
  const procs: ChildProcess[] = [];
  const leftovers: NodeLeftovers = { dir, ctr: '/usr/bin/ctr', containerdSock: p.containerdSock, bridge: net.bridge, cgroupRoot };
  hookExit(leftovers, shared);
  const forwarders: Server[] = [];
  const start = (cmd: string, args: string[], log: string): ChildProcess => {
    const fd = openSync(join(dir, log), 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], cwd: dir });
    closeSync(fd);
    procs.push(child);
    return child;
  };
  const logs = [join(dir, 'containerd.log'), join(dir, 'kubelet.log')];
  const ctr = async (args: string[]) =>
    (
      await execFileP('/usr/bin/ctr', ['--address', p.containerdSock, '--namespace', 'k8s.io', ...args], {
        encoding: 'utf8',
        maxBuffer: 16 << 20,
        timeout: 600_000,
      })
    ).stdout;
  const stop = async () => {
    for (const f of forwarders) f.close();
    // Pods first, through the kubelet, so their sandboxes and network namespaces are torn down by CRI.
    const core = cluster.adminConfig().makeApiClient(CoreV1Api);
    const pods = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` }).catch(() => undefined);
    await Promise.all(
      (pods?.items ?? []).map((x) =>
        core.deleteNamespacedPod({ name: x.metadata!.name!, namespace: x.metadata!.namespace!, gracePeriodSeconds: 0 }).catch(() => undefined),
      ),
    );
    await waitFor("the node's pod sandboxes to go", 30_000, [], [], async () => (await ctr(['containers', 'ls', '-q']).catch(() => '')).trim() === '').catch(
      () => undefined,
    );
    // Then the kubelet, containerd (after removing what is left through it), the rest (real-node-cleanup.ts).
    dismantle(leftovers, shared);
    await core.deleteNode({ name }).catch(() => undefined);
  };

  try {
    // Network: the bridge exists before the first pod, so servers can be exposed on its address at once.
    await execFileP('ip', ['link', 'add', net.bridge, 'type', 'bridge']);
    await execFileP('ip', ['addr', 'add', `${net.gateway}/24`, 'dev', net.bridge]);
    await execFileP('ip', ['link', 'set', net.bridge, 'up']);
    mkdirSync(p.cniConfDir, { recursive: true });
    writeFileSync(join(p.cniConfDir, '10-spnas.conflist'), cniConflist(net, dir));
    // The cgroup root must exist in every hierarchy before the kubelet starts; cpuset needs its CPUs and memory nodes.
    for (const h of cgroupHierarchies()) {
      const cg = join(h, cgroupRoot.slice(1));
      mkdirSync(cg, { recursive: true });
      for (const f of ['cpuset.cpus', 'cpuset.mems']) if (existsSync(join(h, f))) writeFileSync(join(cg, f), readFileSync(join(h, f)));
    }

    writeFileSync(join(dir, 'containerd.toml'), containerdConfig(p, pause.name));
    const containerd = start('/usr/bin/containerd', ['--config', join(dir, 'containerd.toml')], 'containerd.log');
    leftovers.containerd = containerd.pid;
    await waitFor('containerd', 30_000, [containerd], logs, async () => existsSync(p.containerdSock) && (await ctr(['version'])).includes('Server'));
    mark('containerd');
    // This build's images stay in a reused root; anything else goes (older builds, and the digest-named
    // entries an import adds, which hold their layers too), --sync: until containerd's garbage
    // collection has removed the content and snapshots only they used.
    const present = (await ctr(['images', 'ls', '-q'])).split('\n').filter(Boolean);
    const stale = present.filter((n) => n !== image.name && n !== pause.name);
    if (stale.length) await ctr(['images', 'rm', '--sync', ...stale]);
    for (const img of [pause, image]) if (!present.includes(img.name)) await ctr(['images', 'import', '--snapshotter', 'overlayfs', img.archive]);
    mark(present.includes(image.name) ? 'images (already unpacked)' : 'images');

    // The kubelet's identity: a client certificate in system:nodes, bound to the system:node ClusterRole
    // (the cluster authorises with RBAC only, so the Node authorizer's grants come from that binding).
    const [cert, key] = await signed(
      dir,
      'kubelet',
      `/O=system:nodes/CN=system:node:${name}`,
      'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
      cluster.pki,
    );
    await cluster
      .adminConfig()
      .makeApiClient(RbacAuthorizationV1Api)
      .createClusterRoleBinding({
        body: {
          metadata: { name: `spnas-test-node-${name}` },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `system:node:${name}` }],
        },
      })
      .catch((err: { code?: number }) => {
        if (err.code !== 409) throw err;
      });
    const caCopy = join(dir, 'ca.crt');
    copyFileSync(cluster.pki.caCert, caCopy);
    writeFileSync(join(dir, 'kubelet.kubeconfig'), kubeletKubeconfig(cluster.server, caCopy, cert, key));
    const [port, healthzPort] = await Promise.all([freePort(), freePort()]);
    writeFileSync(join(dir, 'kubelet.json'), kubeletConfig(p, { address: net.gateway, port, healthzPort, caCert: caCopy, cgroupRoot }));
    const kubelet = start(
      KUBEBIN,
      [
        'kubelet',
        `--config=${join(dir, 'kubelet.json')}`,
        `--kubeconfig=${join(dir, 'kubelet.kubeconfig')}`,
        `--root-dir=${p.kubeletRoot}`,
        `--cert-dir=${join(p.kubeletRoot, 'pki')}`,
        `--hostname-override=${name}`,
        `--node-ip=${net.gateway}`,
        `--node-labels=${REAL_NODE_LABEL}=true`,
        '--v=2',
      ],
      'kubelet.log',
    );
    leftovers.kubelet = kubelet.pid;
    const core = cluster.adminConfig().makeApiClient(CoreV1Api);
    await waitFor(`node ${name} Ready`, 120_000, [containerd, kubelet], logs, async () => {
      const n = await core.readNode({ name });
      return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    });
    mark('ready');

    const container = async (namespace: string, pod: string, name = 'main') => {
      const status = (await core.readNamespacedPod({ namespace, name: pod })).status?.containerStatuses?.find((c) => c.name === name);
      const cid = status?.containerID?.replace(/^containerd:\/\//, '');
      if (!cid) throw new Error(`pod ${namespace}/${pod} has no running container '${name}' yet`);
      const row = (await ctr(['tasks', 'ls'])).split('\n').find((l) => l.startsWith(cid));
      const pid = Number(row?.trim().split(/\s+/)[1]);
      if (!pid) throw new Error(`no task for container ${cid} of ${namespace}/${pod}`);
      return { id: cid, pid };
    };
    return {
      name,
      image,
      hostIp: net.gateway,
      dir,
      startup,
      async expose(target) {
        const server = createServer((sock) => {
          const up = connect(target, '127.0.0.1');
          sock.pipe(up).pipe(sock);
          const end = () => (sock.destroy(), up.destroy());
          sock.on('error', end);
          up.on('error', end);
        });
        forwarders.push(server);
        await new Promise<void>((r, j) => server.once('error', j).listen(0, net.gateway, () => r()));
        return (server.address() as { port: number }).port;
      },
      ctr,
      container,
      async signal(namespace, pod, sig, name = 'main') {
        await ctr(['tasks', 'kill', '--signal', sig, (await container(namespace, pod, name)).id]);
      },
      stop,
    };
  } catch (err) {
    const detail = logs.map((l) => tail(l)).join('\n');
    await stop().catch(() => undefined);
    throw new Error(`the real node failed to start: ${(err as Error).message}\n${detail}`, { cause: err });
  }
}
