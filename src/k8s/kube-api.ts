/**
 * The few Kubernetes calls the launcher makes, over @kubernetes/client-node 1.4, with its errors
 * mapped to spnas's types once: unreachable / 429 / 5xx -> TransientError (retried), 401/403 ->
 * K8S_FORBIDDEN, 422 -> K8S_INVALID_SPEC, 404 -> null / NotFound for the caller. RBAC needed: batch
 * jobs create/get/list/watch/delete, pods get/list/watch, pods/log get; nothing else.
 */
import { ApiException, BatchV1Api, CoreV1Api, KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { InvalidInputError, SpnasError, TransientError } from '../errors';
import { withRetry } from '../storage';

/** Connection-level failures (no HTTP status) that a later call may not hit. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);

/** HTTP status of an API error (ApiException.code, or a Watch error's statusCode), or undefined. */
export function httpStatus(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const s = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** The server's explanation in a Status body, when there is one. */
function statusMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body = err.body as unknown;
    const parsed = typeof body === 'string' ? safeJson(body) : body;
    const msg = (parsed as { message?: unknown } | null)?.message;
    if (typeof msg === 'string' && msg !== '') return msg;
  }
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

/** Maps any error of a Kubernetes call to a SpnasError; `what` names the call in the message. */
export function toSpnasError(err: unknown, what: string): SpnasError {
  if (err instanceof SpnasError) return err;
  const status = httpStatus(err);
  const msg = statusMessage(err);
  if (status === 401 || status === 403) {
    return new SpnasError('K8S_FORBIDDEN', `${what}: the API server refused (${status}): ${msg}; give the worker's ServiceAccount the launcher Role (jobs create/get/list/watch/delete, pods get/list/watch, pods/log get)`, { cause: err });
  }
  if (status === 422 || status === 400) {
    return new SpnasError('K8S_INVALID_SPEC', `${what}: the API server rejected the Job as invalid (${status}): ${msg}; fix the Job template or the activity's Kubernetes settings`, { cause: err });
  }
  if (status === 404) return new SpnasError('K8S_NOT_FOUND', `${what}: not found (404): ${msg}`, { cause: err });
  if (status === 409) return new SpnasError('K8S_CONFLICT', `${what}: conflict (409): ${msg}`, { cause: err });
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    const code = (err as { code?: unknown; cause?: { code?: unknown } } | null)?.code ?? (err as { cause?: { code?: unknown } })?.cause?.code;
    const detail = typeof code === 'string' && NETWORK_CODES.has(code) ? code : msg;
    return new TransientError(`${what}: the Kubernetes API server is unreachable or overloaded (${status ?? detail})`, { cause: err, code: 'K8S_UNAVAILABLE' });
  }
  return new SpnasError('K8S_API_ERROR', `${what}: unexpected API response ${status}: ${msg}`, { cause: err });
}

/** Options of every call. */
export interface KubeCallOptions {
  signal?: AbortSignal;
  /** Attempts for transient faults (default 5: about 6 s of backoff). */
  attempts?: number;
}

/** Typed wrapper of the batch and core API calls the launcher needs. */
export class KubeApi {
  readonly kc: KubeConfig;
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;

  constructor(kc: KubeConfig) {
    this.kc = kc;
    this.batch = kc.makeApiClient(BatchV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  /** In a pod: the mounted ServiceAccount; else $KUBECONFIG or ~/.kube/config. */
  static fromDefault(): KubeApi {
    const kc = new KubeConfig();
    try {
      kc.loadFromDefault();
    } catch (err) {
      throw new InvalidInputError(`cannot load a Kubernetes configuration (in-cluster ServiceAccount, $KUBECONFIG or ~/.kube/config): ${(err as Error).message}`, { cause: err });
    }
    if (!kc.getCurrentCluster()) throw new InvalidInputError('no Kubernetes cluster configured: run in a pod with a ServiceAccount, or set KUBECONFIG');
    return new KubeApi(kc);
  }

  private call<T>(what: string, fn: () => Promise<T>, o: KubeCallOptions): Promise<T> {
    return withRetry(what, async () => {
      try {
        return await fn();
      } catch (err) {
        throw toSpnasError(err, what);
      }
    }, { signal: o.signal, attempts: o.attempts ?? 5, baseDelayMs: 250, maxDelayMs: 3000 });
  }

  /** Creates the Job; null when one of that name already exists (409: the caller attaches). */
  async createJob(namespace: string, body: V1Job, o: KubeCallOptions = {}): Promise<V1Job | null> {
    try {
      return await this.call(`create Job ${namespace}/${body.metadata?.name}`, () => this.batch.createNamespacedJob({ namespace, body }), o);
    } catch (err) {
      if (err instanceof SpnasError && err.code === 'K8S_CONFLICT') return null;
      throw err;
    }
  }

  /** The Job, or null if there is none. */
  async readJob(namespace: string, name: string, o: KubeCallOptions = {}): Promise<V1Job | null> {
    return this.orNull(this.call(`read Job ${namespace}/${name}`, () => this.batch.readNamespacedJob({ namespace, name }), o));
  }

  async listJobs(namespace: string, sel: { labelSelector?: string; fieldSelector?: string }, o: KubeCallOptions = {}): Promise<{ items: V1Job[]; resourceVersion: string }> {
    const r = await this.call(`list Jobs in ${namespace}`, () => this.batch.listNamespacedJob({ namespace, ...sel }), o);
    return { items: r.items, resourceVersion: r.metadata?.resourceVersion ?? '' };
  }

  async listPods(namespace: string, sel: { labelSelector?: string; fieldSelector?: string }, o: KubeCallOptions = {}): Promise<{ items: V1Pod[]; resourceVersion: string }> {
    const r = await this.call(`list pods in ${namespace}`, () => this.core.listNamespacedPod({ namespace, ...sel }), o);
    return { items: r.items, resourceVersion: r.metadata?.resourceVersion ?? '' };
  }

  /**
   * Deletes the Job and, through the garbage collector, its pods (propagationPolicy Background: the
   * default for Jobs is Orphan, which would leave the pod running). A missing Job is not an error.
   */
  async deleteJob(namespace: string, name: string, o: KubeCallOptions = {}): Promise<void> {
    await this.orNull(this.call(`delete Job ${namespace}/${name}`, () => this.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' }), o));
  }

  private async orNull<T>(p: Promise<T>): Promise<T | null> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof SpnasError && err.code === 'K8S_NOT_FOUND') return null;
      throw err;
    }
  }
}
