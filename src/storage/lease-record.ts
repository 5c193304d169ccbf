/**
 * The run lease document: who may write the run directory, until when, under which generation
 * (the fencing token), and which multi-object artifacts (checkpoints) that writer has committed.
 * Being one object changed only by compare-and-swap, it is also the run's commit point: an artifact
 * is visible once it is named here, and only the current holder can change it.
 */
import { z } from 'zod';
import { DataError } from '../errors';
import type { CallOptions, ObjectStore } from './object-store';
import { canLease, leaseCellFor } from './lease-cell';

export const leaseRecordSchema = z.object({
  format: z.literal('spnas-run-lease'),
  version: z.literal(1),
  /** Who holds (or last held) the lease, e.g. `<workflowId>/<activityId>/attempt-3` or `cli:<host>:<pid>`. */
  owner: z.string().min(1),
  /** Increases by one with every acquisition: the fencing token. */
  generation: z.number().int().positive(),
  /** Random per write: lets a writer recognise its own write after an ambiguous (retried) request. */
  nonce: z.string().min(1),
  ttlMs: z.number().int().positive(),
  acquiredAt: z.string(),
  renewedAt: z.string(),
  /** renewedAt + ttlMs on the holder's clock. */
  expiresAt: z.string(),
  released: z.boolean(),
  /** Committed artifact directories by artifact prefix (e.g. 'checkpoints' -> ['step-...-g00000002']). */
  committed: z.record(z.string(), z.array(z.string())),
  /** The owner this generation took over from, for messages. */
  previousOwner: z.string().optional(),
});
export type LeaseRecord = z.infer<typeof leaseRecordSchema>;

/** Parses a lease document read from storage (JSON.parse and zod only). */
export function parseLeaseRecord(data: Uint8Array, where: string): LeaseRecord {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (err) {
    throw new DataError(`corrupt run lease ${where}: not JSON; if no writer is running, delete it (committed checkpoints are then treated as legacy ones)`, {
      code: 'CORRUPT_LEASE',
      cause: err,
    });
  }
  const parsed = leaseRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new DataError(`corrupt run lease ${where}: ${issues}`, { code: 'CORRUPT_LEASE' });
  }
  return parsed.data;
}

export function encodeLeaseRecord(r: LeaseRecord): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify(r, null, 1) + '\n'));
}

/**
 * The lease of the run rooted at `store`, or null when the run was never leased (or the store is a
 * wrapper that cannot hold one). For readers (a checkpoint reader, a status command): reading needs no lease.
 */
export async function readLeaseRecord(store: ObjectStore, opts: CallOptions = {}): Promise<LeaseRecord | null> {
  if (!canLease(store)) return null;
  const cell = leaseCellFor(store);
  const cur = await cell.read(opts);
  return cur ? parseLeaseRecord(cur.data, cell.where) : null;
}

/** A one-line description of a lease for messages. */
export function describeLease(r: LeaseRecord): string {
  return r.released
    ? `released by '${r.owner}' (generation ${r.generation}) at ${r.expiresAt}`
    : `held by '${r.owner}' (generation ${r.generation}) until ${r.expiresAt}`;
}
