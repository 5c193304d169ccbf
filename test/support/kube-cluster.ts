/**
 * A throw-away Kubernetes control plane for tests: etcd, kube-apiserver (RBAC, TLS on 127.0.0.1),
 * kube-controller-manager, kube-scheduler and kwok, all from the multi-call binary that
 * scripts/setup.d/kube.sh builds. kwok plays the kubelet of the nodes labelled type=kwok (stages in
 * kwok-stages.ts): pods there run no code. Two kwok nodes: `gpu-node` (4 nvidia.com/gpu, tainted
 * nvidia.com/gpu:NoSchedule, labelled nvidia.com/gpu.present=true) and `cpu-node`. A real kubelet can
 * join beside them (test/support/real-node.ts). Everything listens on loopback only; `stop()` ends each
 * process by its PID and removes the directory. One cluster per test file: it starts in ~6 s.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, CustomObjectsApi, KubeConfig, loadAllYaml, type V1Node } from '@kubernetes/client-node';
import { freePort } from './s3-server';
import { makePki, type KubePki } from './kube-pki';
import { KWOK_STAGES } from './kwok-stages';

const execFileP = promisify(execFile);
const REPO = resolve(__dirname, '..', '..');
/** The version-keyed build cache (a symlink to ~/.cache/spnas/kube-<version>) made by the set-up. */
export const KUBE_DIR = join(REPO, '.tools', 'kube');
export const KUBEBIN = join(KUBE_DIR, 'bin', 'kubebin');
const LOGS_CRD = join(KUBE_DIR, 'share', 'kwok.x-k8s.io_logs.yaml');
export const GPU_NODE = 'gpu-node';
export const CPU_NODE = 'cpu-node';
export const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' } as const;
export const GPU_NODE_LABEL = 'nvidia.com/gpu.present';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubeCluster {
  /** https://127.0.0.1:<port> */
  server: string;
  /** Working directory: PKI, kubeconfigs, component logs (kept on failure to start, removed by stop). */
  dir: string;
  /** Admin (system:masters) kubeconfig file. */
  kubeconfigPath: string;
  /** The cluster's CA and certificates (a real node's kubelet gets its client certificate from this CA). */
  pki: KubePki;
  /** Milliseconds from the start of startKubeCluster to each phase (pki, etcd, apiserver, nodes). */
  startup: Record<string, number>;
  /** Environment for child processes (kubectl, helm): KUBECONFIG and .tools/bin on PATH. */
  env: Record<string, string>;
  /** A fresh admin KubeConfig. */
  adminConfig(): KubeConfig;
  /** Runs kubectl against the cluster as admin (or impersonating `as`). Never throws on a non-zero exit. */
  kubectl(args: string[], opts?: { input?: string; as?: string }): Promise<KubectlResult>;
  /** Runs a tool (helm, kubeconform, ...) with `env`; stdout and stderr together. Never throws on a non-zero exit. */
  tool(cmd: string, args: string[]): Promise<{ code: number; out: string }>;
  /** Creates a namespace `<prefix>-<n>` and waits for its default ServiceAccount. */
  createNamespace(prefix?: string): Promise<string>;
  /** A KubeConfig that authenticates as a ServiceAccount with a real token (TokenRequest API). */
  serviceAccountConfig(namespace: string, serviceAccount: string): Promise<KubeConfig>;
  /** A KubeConfig that sends admin credentials impersonating `user`. */
  impersonating(user: string): KubeConfig;
  /**
   * Stands in for a container's output: creates kwok's Logs object for the pod, so the API server's
   * pods/log serves this file, and returns a function that appends lines (CRI log format) to it.
   */
  podLog(namespace: string, pod: string, container?: string): Promise<(line: string) => void>;
  /** GET /openapi/v2 of this API server (for kubeconform schemas). */
  openapiV2(): Promise<string>;
  /** Runs scripts/kube/gen-schemas.sh against this API server; returns the schema directory. */
  generateSchemas(outDir?: string): Promise<string>;
  /** PIDs of the component processes (etcd, apiserver, controller-manager, scheduler, kwok). */
  pids(): number[];
  stop(): Promise<void>;
}

interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
/** A test process that dies must not leave a control plane behind: kill by PID on exit. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live)
      if (c.pid && c.exitCode === null)
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
  });
}

function tail(file: string, n = 1500): string {
  try {
    const s = readFileSync(file, 'utf8');
    return s.slice(-n);
  } catch {
    return '';
  }
}

async function until<T>(what: string, timeoutMs: number, procs: Proc[], fn: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    for (const p of procs) {
      if (p.child.exitCode !== null || p.child.signalCode !== null)
        throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) while waiting for ${what}:\n${tail(p.log)}`);
    }
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function httpsGet(url: string, pki: KubePki): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = httpsRequest(
      url,
      { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey), timeout: 10_000 },
      (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (body += c));
        r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      },
    );
    req.on('error', rej);
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.end();
  });
}

function kubeconfigYaml(server: string, pki: KubePki, user: Record<string, string>): string {
  const u = Object.entries(user)
    .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${server}
    certificate-authority: ${JSON.stringify(pki.caCert)}
users:
- name: user
  user:
${u}
contexts:
- name: test
  context: {cluster: test, user: user}
current-context: test
`;
}

function node(name: string, gpus: number): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
        ...(gpus > 0 ? { [GPU_NODE_LABEL]: 'true' } : {}),
      },
    },
    spec: gpus > 0 ? { taints: [{ ...GPU_TAINT }] } : {},
    status: {
      capacity: { cpu: '16', memory: '64Gi', pods: '110', ...(gpus > 0 ? { 'nvidia.com/gpu': String(gpus) } : {}) },
      allocatable: { cpu: '16', memory: '64Gi', pods: '110', ...(gpus > 0 ? { 'nvidia.com/gpu': String(gpus) } : {}) },
    },
  };
}

/**
 * Starts the cluster. Fails (never skips) when the binaries are missing: run scripts/setup.sh.
 */
export async function startKubeCluster(): Promise<KubeCluster> {
  if (!existsSync(KUBEBIN) || !existsSync(LOGS_CRD)) {
    throw new Error(`the test control plane is not built (${KUBEBIN}): run bash scripts/setup.sh (scripts/setup.d/kube.sh builds it, ~8 min once per machine)`);
  }
  installExitHook();
  const t0 = Date.now();
  const startup: Record<string, number> = {};
  const mark = (phase: string) => (startup[phase] = Date.now() - t0);
  const dir = mkdtempSync(join(tmpdir(), 'spnas-kube-'));
  const procs: Proc[] = [];
  const startProc = (name: string, args: string[]): Proc => {
    const log = join(dir, `${name}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(KUBEBIN, [name, ...args], { stdio: ['ignore', fd, fd], cwd: dir });
    closeSync(fd);
    live.add(child);
    child.once('exit', () => live.delete(child));
    const p = { name, child, log };
    procs.push(p);
    return p;
  };
  const stopAll = async () => {
    // Reverse start order: clients first, etcd last.
    for (const p of [...procs].reverse()) {
      const c = p.child;
      if (c.exitCode !== null || c.signalCode !== null || !c.pid) continue;
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      process.kill(c.pid, 'SIGTERM');
      const t = setTimeout(() => c.pid && c.exitCode === null && process.kill(c.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
  };

  try {
    const [etcdPort, peerPort, apiPort, kwokPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    // etcd needs no certificates: it starts while openssl makes them.
    const etcd = startProc('etcd', [
      '--name=test',
      `--data-dir=${join(dir, 'etcd')}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=test=http://127.0.0.1:${peerPort}`,
      '--listen-metrics-urls=',
    ]);
    const pki = await makePki(dir);
    mark('pki');
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigYaml(server, pki, { 'client-certificate': pki.adminCert, 'client-key': pki.adminKey }));
    const stagesFile = join(dir, 'kwok-stages.yaml');
    writeFileSync(stagesFile, KWOK_STAGES);
    await until('etcd', 20_000, [etcd], async () => {
      const r = await fetch(`http://127.0.0.1:${etcdPort}/health`);
      return r.ok && (await r.text()).includes('"true"');
    });
    mark('etcd');

    const api = startProc('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--authorization-mode=RBAC',
      '--endpoint-reconciler-type=none',
      '--service-cluster-ip-range=10.0.0.0/24',
      `--service-account-issuer=https://kubernetes.default.svc`,
      `--service-account-key-file=${pki.saPub}`,
      `--service-account-signing-key-file=${pki.saKey}`,
      `--kubelet-client-certificate=${pki.adminCert}`,
      `--kubelet-client-key=${pki.adminKey}`,
      '--kubelet-preferred-address-types=InternalIP',
      '--profiling=false',
      '--v=1',
    ]);
    await until('kube-apiserver /readyz', 60_000, [etcd, api], async () => (await httpsGet(`${server}/readyz`, pki)).status === 200);
    mark('apiserver');

    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    const kubectl = async (args: string[], opts: { input?: string; as?: string } = {}): Promise<KubectlResult> => {
      const full = ['kubectl', `--kubeconfig=${kubeconfigPath}`, ...(opts.as ? [`--as=${opts.as}`] : []), ...args];
      return new Promise((res) => {
        const child = execFile(KUBEBIN, full, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
          res({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr });
        });
        if (opts.input !== undefined) child.stdin?.end(opts.input);
      });
    };

    // The kwok Logs CRD must be served before kwok starts watching it.
    const crd = await kubectl(['apply', '-f', LOGS_CRD]);
    if (crd.code !== 0) throw new Error(`applying kwok's Logs CRD failed: ${crd.stderr}`);
    const adminKubeconfig = ['--kubeconfig', kubeconfigPath];
    const kcm = startProc('kube-controller-manager', [
      ...adminKubeconfig,
      '--leader-elect=false',
      '--secure-port=0',
      '--controllers=*,-node-ipam-controller,-persistentvolume-attach-detach-controller',
      `--service-account-private-key-file=${pki.saKey}`,
      `--root-ca-file=${pki.caCert}`,
      '--use-service-account-credentials=false',
      '--concurrent-job-syncs=10',
      '--v=1',
    ]);
    const sched = startProc('kube-scheduler', [...adminKubeconfig, '--leader-elect=false', '--secure-port=0', '--v=1']);
    await until('kwok Logs CRD established', 20_000, [etcd, api], async () => {
      const r = await kubectl(['get', 'crd', 'logs.kwok.x-k8s.io', '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']);
      return r.stdout.trim() === 'True';
    });
    const kwokArgs = [
      ...adminKubeconfig,
      // Only its own nodes: a real kubelet's node (real-node.ts) must not get kwok's heartbeats and pod stages.
      '--manage-nodes-with-label-selector=type=kwok',
      `--config=${stagesFile}`,
      '--enable-crds=Logs',
      `--server-address=127.0.0.1:${kwokPort}`,
      '--node-ip=127.0.0.1',
      `--node-port=${kwokPort}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      '--cidr=10.128.0.1/16',
    ];
    await Promise.all([core.createNode({ body: node(GPU_NODE, 4) }), core.createNode({ body: node(CPU_NODE, 0) })]);
    // kwok 0.8.0 has crashed at start on a loaded machine (a Go runtime fatal error in its workers'
    // concurrent stage set-up, full suite at load ~4, 7 Dec): a kwok that dies before the nodes are
    // Ready is started again (its log keeps every attempt), up to three times
    let all: Proc[] = [];
    for (let attempt = 1; ; attempt++) {
      const kwok = startProc('kwok', kwokArgs);
      all = [etcd, api, kcm, sched, kwok];
      try {
        await until('both kwok nodes Ready', 30_000, all, async () => {
          const nodes = await core.listNode();
          return nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2;
        });
        break;
      } catch (err) {
        const kwokDied = kwok.child.exitCode !== null || kwok.child.signalCode !== null;
        const othersUp = [etcd, api, kcm, sched].every((p) => p.child.exitCode === null && p.child.signalCode === null);
        if (!kwokDied || !othersUp || attempt === 3) throw err;
        startup[`kwokRestart${attempt}`] = Date.now() - t0;
      }
    }
    mark('nodes');

    let nsCounter = 0;
    const cluster: KubeCluster = {
      server,
      dir,
      startup,
      kubeconfigPath,
      pki,
      env: { KUBECONFIG: kubeconfigPath, PATH: `${join(REPO, '.tools', 'bin')}:${process.env.PATH ?? ''}` },
      adminConfig() {
        const c = new KubeConfig();
        c.loadFromFile(kubeconfigPath);
        return c;
      },
      kubectl,
      async tool(cmd, args) {
        try {
          const { stdout, stderr } = await promisify(execFile)(cmd, args, {
            env: { ...process.env, ...cluster.env },
            encoding: 'utf8',
            timeout: 180_000,
            maxBuffer: 32 << 20,
          });
          return { code: 0, out: stdout + stderr };
        } catch (err) {
          const e = err as { code?: number; stdout?: string; stderr?: string };
          return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
        }
      },
      async createNamespace(prefix = 'test') {
        const name = `${prefix}-${++nsCounter}`;
        await core.createNamespace({ body: { metadata: { name } } });
        await until(`default ServiceAccount in ${name}`, 30_000, all, async () => {
          await core.readNamespacedServiceAccount({ namespace: name, name: 'default' });
          return true;
        });
        return name;
      },
      async serviceAccountConfig(namespace, serviceAccount) {
        const tr = await core.createNamespacedServiceAccountToken({
          namespace,
          name: serviceAccount,
          body: { spec: { audiences: [], expirationSeconds: 3600 } },
        });
        const file = join(dir, `sa-${namespace}-${serviceAccount}.kubeconfig`);
        writeFileSync(file, kubeconfigYaml(server, pki, { token: tr.status!.token }));
        const c = new KubeConfig();
        c.loadFromFile(file);
        return c;
      },
      impersonating(user) {
        const c = new KubeConfig();
        c.loadFromString(kubeconfigYaml(server, pki, { 'client-certificate': pki.adminCert, 'client-key': pki.adminKey, as: user }));
        return c;
      },
      async podLog(namespace, pod, container = 'main') {
        const logDir = join(dir, 'pod-logs');
        mkdirSync(logDir, { recursive: true });
        const file = join(logDir, `${namespace}_${pod}_${container}.log`);
        writeFileSync(file, '');
        await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
          group: 'kwok.x-k8s.io',
          version: 'v1alpha1',
          namespace,
          plural: 'logs',
          body: {
            apiVersion: 'kwok.x-k8s.io/v1alpha1',
            kind: 'Logs',
            metadata: { name: pod, namespace },
            spec: { logs: [{ containers: [container], logsFile: file, follow: true }] },
          },
        });
        return (line: string) => appendFileSync(file, `${new Date().toISOString().replace('Z', '000000Z')} stdout F ${line}\n`);
      },
      async openapiV2() {
        const r = await httpsGet(`${server}/openapi/v2`, pki);
        if (r.status !== 200) throw new Error(`GET /openapi/v2: ${r.status}`);
        return r.body;
      },
      async generateSchemas(outDir) {
        const args = [join(REPO, 'scripts', 'kube', 'gen-schemas.sh'), ...(outDir ? ['--out', outDir] : [])];
        const { stdout } = await execFileP('bash', args, { env: { ...process.env, ...cluster.env }, encoding: 'utf8', timeout: 300_000, maxBuffer: 16 << 20 });
        return stdout.trim().split('\n').pop()!;
      },
      pids: () => procs.map((p) => p.child.pid!).filter((p) => p !== undefined),
      async stop() {
        await stopAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return cluster;
  } catch (err) {
    await stopAll();
    // Keep the logs of a failed start for the error message, then clean up.
    const logs = procs.map((p) => `--- ${p.name}\n${tail(p.log, 800)}`).join('\n');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the test Kubernetes cluster failed to start: ${(err as Error).message}\n${logs}`, { cause: err });
  }
}

/** Parses multi-document YAML (kubectl output, rendered charts). */
export function parseYamlDocs(text: string): unknown[] {
  return loadAllYaml(text).filter((d) => d !== null && d !== undefined);
}
