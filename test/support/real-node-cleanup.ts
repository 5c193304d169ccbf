/**
 * Takes a real node (test/support/real-node.ts) apart without leaving anything on the machine: its
 * containers and their shims, mounts under its directory (pod network namespaces, overlay root
 * filesystems, volumes), its cgroups, its bridge, the directory. Synchronous, so the same code runs
 * from a test's `after` and from the exit hook of a test process that is dying.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CGROUP_FS = '/sys/fs/cgroup';

function quiet(cmd: string, args: string[], timeout = 30_000): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** SIGKILL to a PID, ignoring one that is gone. */
export function killPid(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!pid) return;
  try {
    process.kill(pid, signal);
  } catch {
    /* gone */
  }
}

/** SIGTERM, up to `ms` for the processes to exit (containerd closes its database), then SIGKILL. */
export function terminate(pids: Array<number | undefined>, ms = 10_000): void {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  };
  const left = pids.filter((p): p is number => !!p && alive(p));
  for (const p of left) killPid(p, 'SIGTERM');
  const deadline = Date.now() + ms;
  while (left.some(alive) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  for (const p of left) if (alive(p)) killPid(p);
}

/** PIDs whose command line contains `needle` (the shims name their containerd's socket). */
export function pidsWithArg(needle: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').includes(needle)) pids.push(Number(e));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/**
 * Every container task of the node's containerd: killed and deleted, then the containers removed.
 * Returns whether none is left (containerd answered and listed no container afterwards).
 */
export function removeContainers(ctr: string, sock: string): boolean {
  const c = (args: string[]) => quiet(ctr, ['--address', sock, '--namespace', 'k8s.io', ...args]);
  const tasks = c(['tasks', 'ls', '-q']).split('\n').filter(Boolean);
  for (const t of tasks) c(['tasks', 'kill', '--signal', 'SIGKILL', '--all', t]);
  for (const t of tasks) c(['tasks', 'delete', '--force', t]);
  const containers = c(['containers', 'ls', '-q']).split('\n').filter(Boolean);
  if (containers.length > 0) c(['containers', 'delete', ...containers]);
  return c(['version']).includes('Server') && c(['containers', 'ls', '-q']).trim() === '';
}

/** Containers left by a containerd that died: killed through runc's own state (its root per namespace). */
export function killRuncContainers(runcRoot: string): void {
  if (!existsSync(runcRoot)) return;
  for (const ns of readdirSync(runcRoot)) {
    const root = join(runcRoot, ns);
    for (const id of quiet('runc', ['--root', root, 'list', '-q']).split('\n').filter(Boolean)) {
      quiet('runc', ['--root', root, 'kill', '--all', id, 'KILL']);
      quiet('runc', ['--root', root, 'delete', '--force', id]);
    }
  }
}

/** Unmounts everything mounted at or below `dir`, deepest first. */
export function unmountBelow(dir: string): void {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .map((m) => m.replace(/\\040/g, ' '));
  for (const m of [...new Set(points)].sort((a, b) => b.length - a.length)) quiet('umount', ['-l', m]);
}

/** The cgroup v1 hierarchies (and the v2 one) mounted here: where a cgroup root has to exist. */
export function cgroupHierarchies(): string[] {
  if (!existsSync(CGROUP_FS)) return [];
  return readdirSync(CGROUP_FS)
    .map((n) => join(CGROUP_FS, n))
    .filter((p) => {
      try {
        return statSync(p).isDirectory() && existsSync(join(p, 'cgroup.procs'));
      } catch {
        return false;
      }
    });
}

/** Removes a cgroup subtree in every hierarchy (children first; cgroups hold no files to delete). */
export function removeCgroupTree(root: string): void {
  const rm = (p: string) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(p).filter((n) => statSync(join(p, n)).isDirectory());
    } catch {
      return;
    }
    for (const e of entries) rm(join(p, e));
    try {
      rmdirSync(p);
    } catch {
      /* a process still in it (killed meanwhile) or already gone */
    }
  };
  for (const h of cgroupHierarchies()) rm(join(h, root.replace(/^\//, '')));
}

export interface NodeLeftovers {
  dir: string;
  ctr: string;
  containerdSock: string;
  bridge?: string;
  cgroupRoot: string;
  kubelet?: number;
  containerd?: number;
}

/**
 * Removes everything the node created. Idempotent; never throws. Returns whether its containerd was
 * left without containers (so its root can be handed to the next node: real-node-root.ts).
 */
export function removeNode(n: NodeLeftovers): boolean {
  // The kubelet first (it would restart what goes), then the containers through containerd while it
  // answers (their tasks die with their shims only through it), then containerd.
  terminate([n.kubelet]);
  const clean = existsSync(n.containerdSock) && removeContainers(n.ctr, n.containerdSock);
  terminate([n.containerd]);
  for (const pid of pidsWithArg(n.containerdSock)) killPid(pid);
  killRuncContainers(join(n.dir, 'runc'));
  unmountBelow(n.dir);
  removeCgroupTree(n.cgroupRoot);
  if (n.bridge) quiet('ip', ['link', 'delete', n.bridge, 'type', 'bridge']);
  try {
    rmSync(n.dir, { recursive: true, force: true });
  } catch {
    /* a mount that would not go; the temp dir stays */
  }
  return clean;
}
