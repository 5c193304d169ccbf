/**
 * List-then-watch with recovery, the pattern of client-go's reflector in small: list to get the
 * current objects and a resourceVersion, watch from there, resume from the last seen version when the
 * server ends a watch, and re-list when the version is too old (410 Gone) or the watch fails.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { sleep } from '../async/retry';
import { httpStatus, toSpnasError } from './kube-api';
import type { SpnasError } from '../errors';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface KubeObject {
  metadata?: { resourceVersion?: string };
}

export interface ListWatchOptions<T extends KubeObject> {
  kc: KubeConfig;
  /** Collection path, e.g. /apis/batch/v1/namespaces/ns/jobs. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Lists the collection with the same selectors. */
  list: () => Promise<{ items: T[]; resourceVersion: string }>;
  /** The full current set after each (re-)list: objects absent from it are gone. */
  onSync: (items: T[]) => void;
  onEvent: (type: WatchEventType, obj: T) => void;
  /** Each failed list or watch (already mapped); the loop keeps retrying until stopped. */
  onError?: (err: SpnasError) => void;
  /** Any successful contact with the API server (list, watch start, event). */
  onContact?: () => void;
  signal: AbortSignal;
  /** Server-side watch timeout; the loop resumes right after. Default 30 s. */
  watchTimeoutSeconds?: number;
}

type WatchEnd = { kind: 'closed' } | { kind: 'gone' } | { kind: 'error'; err: unknown };

/** Runs until `signal` aborts; never rejects. */
export async function listWatch<T extends KubeObject>(o: ListWatchOptions<T>): Promise<void> {
  const watch = new Watch(o.kc);
  let backoffMs = 250;
  while (!o.signal.aborted) {
    let rv: string;
    try {
      const listed = await o.list();
      o.onContact?.();
      o.onSync(listed.items);
      rv = listed.resourceVersion;
    } catch (err) {
      o.onError?.(toSpnasError(err, `list ${o.path}`));
      await pause(backoffMs, o.signal);
      backoffMs = Math.min(5000, backoffMs * 2);
      continue;
    }
    // Watch from rv until the version expires or the watch fails.
    for (;;) {
      const started = Date.now();
      const end = await watchOnce(watch, o, rv, (newRv) => {
        rv = newRv;
        backoffMs = 250;
      });
      if (o.signal.aborted) return;
      if (end.kind === 'closed') {
        // A server that ends every watch at once would otherwise make this a busy loop.
        if (Date.now() - started < 1000) await pause(backoffMs, o.signal);
        continue;
      }
      if (end.kind === 'error') {
        o.onError?.(toSpnasError(end.err, `watch ${o.path}`));
        await pause(backoffMs, o.signal);
        backoffMs = Math.min(5000, backoffMs * 2);
      }
      break; // gone or error: re-list
    }
  }
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch {
    // aborted: the loop condition ends it
  }
}

function watchOnce<T extends KubeObject>(watch: Watch, o: ListWatchOptions<T>, rv: string, onRv: (rv: string) => void): Promise<WatchEnd> {
  return new Promise<WatchEnd>((resolve) => {
    let settled = false;
    let controller: AbortController | undefined;
    const finish = (end: WatchEnd) => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener('abort', onAbort);
      controller?.abort();
      resolve(end);
    };
    const onAbort = () => finish({ kind: 'closed' });
    o.signal.addEventListener('abort', onAbort, { once: true });
    const params = {
      resourceVersion: rv,
      allowWatchBookmarks: true,
      timeoutSeconds: o.watchTimeoutSeconds ?? 30,
      labelSelector: o.labelSelector,
      fieldSelector: o.fieldSelector,
    };
    watch
      .watch(
        o.path,
        params,
        (type: string, obj: T & { code?: number }) => {
          if (settled) return;
          o.onContact?.();
          if (type === 'ERROR') {
            finish(obj.code === 410 ? { kind: 'gone' } : { kind: 'error', err: Object.assign(new Error(`watch error event: ${JSON.stringify(obj)}`), { statusCode: obj.code }) });
            return;
          }
          const newRv = obj.metadata?.resourceVersion;
          if (newRv) onRv(newRv);
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') o.onEvent(type, obj);
        },
        (err: unknown) => {
          if (err === null || err === undefined) return finish({ kind: 'closed' });
          if (httpStatus(err) === 410) return finish({ kind: 'gone' });
          // An abort we caused is not an error.
          if (o.signal.aborted || (err as { name?: string }).name === 'AbortError') return finish({ kind: 'closed' });
          finish({ kind: 'error', err });
        },
      )
      .then(
        (c) => {
          controller = c;
          if (settled) c.abort();
          else o.onContact?.();
        },
        (err: unknown) => finish({ kind: 'error', err }),
      );
  });
}
