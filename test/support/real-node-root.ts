/**
 * containerd's root for a real node (test/support/real-node.ts). Importing the spnas image unpacks
 * ~1.6 GB (30 s to 2 min here), so the root, with the images unpacked in it, is kept in the machine's
 * cache and reused by the next node: test files run one after another. Only one node holds it at a
 * time (a lock file naming the holder's PID); a second node running meanwhile gets a root of its own
 * in its temp directory and imports. A holder that died without releasing leaves a root that may hold
 * its dead containers: the next claimant wipes it and imports again.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ClaimedRoot {
  root: string;
  /** True when the images may already be there (a clean hand-over from the previous holder). */
  reused: boolean;
  /** `clean`: no container was left in it (else the next claimant starts from an empty root). */
  release(clean: boolean): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The shared root if free (undefined if another live node holds it). */
export function claimSharedRoot(): ClaimedRoot | undefined {
  const base = join(process.env.SPNAS_CACHE_DIR ?? join(homedir(), '.cache', 'spnas'), 'real-node');
  const root = join(base, 'containerd-root');
  const lock = join(base, 'containerd-root.lock');
  const clean = join(base, 'containerd-root.clean');
  mkdirSync(base, { recursive: true });
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(lock, 'utf8'));
    if (holder && holder !== process.pid && alive(holder)) return undefined;
    writeFileSync(lock, String(process.pid));
  }
  // Reused only after a release that removed every container; otherwise start from nothing.
  const reused = existsSync(clean) && existsSync(root);
  if (!reused) rmSync(root, { recursive: true, force: true });
  rmSync(clean, { force: true });
  return {
    root,
    reused,
    release(wasClean) {
      if (Number(readFileSync(lock, 'utf8')) !== process.pid) return;
      if (wasClean) writeFileSync(clean, '');
      rmSync(lock, { force: true });
    },
  };
}
