/**
 * A run's faults, drawn from its seed (pure: the same seed gives the same plan, so a failing run can
 * be repeated): which kinds, when (seconds after the study started), which target among those
 * present at that moment, and how long a stopped part stays down.
 */
import { hashSeed, permutation, Rng } from '../../src/random';
import type { Mode } from './stack';

export const FAULT_KINDS = [
  'kill-compute', // SIGKILL of a compute worker; a new one starts (as a ReplicaSet would)
  'kill-orchestration', // SIGKILL of the orchestration worker; a new one starts
  'restart-compute', // rolling restart: a new compute worker, then SIGTERM to the old one
  'restart-orchestration', // the same for the orchestration worker
  'restart-temporal', // SIGTERM to the dev server, wait for its PID, start it on the same SQLite file
  'restart-s3', // SIGKILL of gofakes3, start it on the same data directory
  'evict-pod', // Eviction API on a running activity pod (k8s mode)
  'delete-pod', // plain deletion of a running activity pod (k8s mode)
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const K8S_ONLY: ReadonlySet<FaultKind> = new Set(['evict-pod', 'delete-pod']);

export function kindsFor(mode: Mode): FaultKind[] {
  return FAULT_KINDS.filter((k) => mode === 'k8s' || !K8S_ONLY.has(k));
}

export interface PlannedFault {
  kind: FaultKind;
  /** Seconds after the study started. */
  atS: number;
  /** In [0, 1): which of the targets present (sorted by name) is hit. */
  pick: number;
  /** How long the stopped part stays down before its replacement starts, ms. */
  downMs: number;
}

/**
 * `count` faults over [fromS, toS]: kinds cycle through a seeded permutation of `kinds` (so a run hits
 * as many different kinds as it has faults), times are sorted uniform draws.
 */
export function planFaults(seed: number, kinds: readonly FaultKind[], count: number, fromS: number, toS: number): PlannedFault[] {
  if (kinds.length === 0 || count <= 0) return [];
  const rng = new Rng(hashSeed(seed, 0xfa017));
  const order = permutation(kinds.length, rng);
  const times = Array.from({ length: count }, () => fromS + rng.next() * (toS - fromS)).sort((a, b) => a - b);
  return times.map((t, i) => ({
    kind: kinds[order[i % kinds.length]!]!,
    atS: Math.round(t),
    pick: rng.next(),
    downMs: Math.round(rng.next() * 10_000),
  }));
}
