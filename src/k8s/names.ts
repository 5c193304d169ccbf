/**
 * Names and labels of activity Jobs. A Job's name is a pure function of the attempt's identity
 * (workflow id, run id, activity id, attempt), so a restarted worker finds the Job its predecessor
 * created instead of starting a second. The run id is part of it because activity ids restart in every
 * run of a workflow: without it, a run after continue-as-new (or a re-run of a closed workflow id) would
 * find an earlier run's Job of the same activity id within its TTL and take its result.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors';

/** Which activity attempt a Job runs: Temporal's ids, exactly. */
export interface AttemptIdentity {
  workflowId: string;
  /** The workflow run (Temporal's run id): activity ids restart in every run. */
  runId: string;
  activityId: string;
  attempt: number;
}

/** Kubernetes' DNS-1123 label limit (Job names must also fit pod-name prefixes and label values). */
const MAX_LABEL = 63;
const HASH_LEN = 10;

/** Lower-cases and replaces every run of characters outside [a-z0-9-] by one '-', trimmed of '-'. */
function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
}

function shortHash(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, HASH_LEN);
}

function checkIdentity(id: Omit<AttemptIdentity, 'attempt'> & { attempt?: number }): void {
  for (const k of ['workflowId', 'runId', 'activityId'] as const) {
    if (id[k] === '') throw new InvalidInputError(`Job identity: ${k} is empty; pass the Temporal ${k}`);
  }
  if (id.attempt !== undefined && (!Number.isInteger(id.attempt) || id.attempt < 1)) {
    throw new InvalidInputError(`Job identity: attempt must be an integer >= 1 (Temporal counts from 1), got ${id.attempt}`);
  }
}

/**
 * The deterministic Job name of one activity attempt: `spnas-<readable part>-a<attempt>-<hash>`, a
 * DNS-1123 label of at most 63 characters. The readable part (activity id and workflow id, sanitised
 * and truncated) is only for people; the hash over the exact ids, the run id included, keeps distinct
 * attempts distinct even when sanitising or truncation makes their readable parts equal.
 * @throws InvalidInputError for an empty id or an attempt that is not a positive integer.
 */
export function jobNameFor(id: AttemptIdentity): string {
  checkIdentity(id);
  const hash = shortHash([id.workflowId, id.runId, id.activityId, id.attempt]);
  const room = MAX_LABEL - 'spnas-'.length - `-a${id.attempt}-`.length - HASH_LEN;
  const readable = slug(`${id.activityId}-${id.workflowId}`).slice(0, Math.max(0, room)).replace(/-+$/, '');
  return readable === '' ? `spnas-a${id.attempt}-${hash}` : `spnas-${readable}-a${id.attempt}-${hash}`;
}

/** The key shared by every attempt of one activity of one run (a label, so a later attempt can find earlier Jobs). */
export function activityKeyFor(id: Omit<AttemptIdentity, 'attempt'>): string {
  checkIdentity(id);
  return shortHash([id.workflowId, id.runId, id.activityId, 'activity']);
}

/**
 * A label value for a free-form id: [A-Za-z0-9._-], at most 63, alphanumeric at both ends; long or
 * exotic ids keep a hash suffix so two ids never collide. The exact id goes in an annotation.
 */
export function labelValue(id: string): string {
  const clean = id.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (clean === id && id.length <= MAX_LABEL) return id;
  const hash = shortHash([id]);
  const head = clean.slice(0, MAX_LABEL - HASH_LEN - 1).replace(/[^A-Za-z0-9]+$/, '');
  return head === '' ? hash : `${head}_${hash}`;
}
