/**
 * Names and labels of activity Jobs. A Job's name is a pure function of (workflowId, activityId,
 * attempt), so a restarted worker finds the Job its predecessor created instead of starting a second.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors';

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

/**
 * The deterministic Job name of one activity attempt: `spnas-<readable part>-<hash>`, a DNS-1123
 * label of at most 63 characters. The readable part (activity id and workflow id, sanitised and
 * truncated) is only for people; the hash over the exact ids keeps distinct attempts distinct even
 * when sanitising or truncation makes their readable parts equal.
 * @throws InvalidInputError for an empty id or an attempt that is not a positive integer.
 */
export function jobNameFor(workflowId: string, activityId: string, attempt: number): string {
  if (workflowId === '') throw new InvalidInputError('jobNameFor: workflowId is empty; pass the Temporal workflow id');
  if (activityId === '') throw new InvalidInputError('jobNameFor: activityId is empty; pass the Temporal activity id');
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new InvalidInputError(`jobNameFor: attempt must be an integer >= 1 (Temporal counts from 1), got ${attempt}`);
  }
  const hash = shortHash([workflowId, activityId, attempt]);
  const room = MAX_LABEL - 'spnas-'.length - `-a${attempt}-`.length - HASH_LEN;
  const readable = slug(`${activityId}-${workflowId}`).slice(0, Math.max(0, room)).replace(/-+$/, '');
  return readable === '' ? `spnas-a${attempt}-${hash}` : `spnas-${readable}-a${attempt}-${hash}`;
}

/** The key shared by every attempt of one activity (a label, so a later attempt can find earlier Jobs). */
export function activityKeyFor(workflowId: string, activityId: string): string {
  return shortHash([workflowId, activityId, 'activity']);
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
