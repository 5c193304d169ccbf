/**
 * Follows one container's log through the API server (GET pods/{name}/log?follow=true, the `pods/log
 * get` permission) and hands out whole lines. The stream ends when the container exits or the
 * connection drops; the caller decides whether to follow again. Lines carry the server's timestamps
 * so a reconnect (sinceTime) does not repeat what was already delivered.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { SpnasError } from '../errors';
import { toSpnasError } from './kube-api';

export interface FollowLogOptions {
  kc: KubeConfig;
  namespace: string;
  pod: string;
  container: string;
  /** Where an earlier stream of this container stopped: lines up to there are not delivered again. */
  after?: LogPosition;
  onLine: (line: string, timestamp: string) => void;
  signal: AbortSignal;
}

/** The last delivered line's timestamp and how many lines carried exactly that timestamp. */
export interface LogPosition {
  ts: string;
  count: number;
}

/** Streams until the server ends the response; resolves with the position reached. Rejects mapped. */
export async function followLog(o: FollowLogOptions): Promise<LogPosition | undefined> {
  const cluster = o.kc.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster in the kubeconfig');
  const url = new URL(`${cluster.server}/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods/${encodeURIComponent(o.pod)}/log`);
  url.searchParams.set('container', o.container);
  url.searchParams.set('follow', 'true');
  url.searchParams.set('timestamps', 'true');
  if (o.after) url.searchParams.set('sinceTime', o.after.ts.replace(/\.\d+Z$/, 'Z'));
  // The client library's own auth (certs, tokens, exec plugins) as an agent and headers.
  const init = await o.kc.applyToFetchOptions({});
  const headers: Record<string, string> = {};
  // applyToFetchOptions returns a fetch Headers object
  (init.headers as unknown as Headers | undefined)?.forEach((v, k) => (headers[k] = v));
  const what = `logs of pod ${o.namespace}/${o.pod}`;

  return new Promise<LogPosition | undefined>((resolve, reject) => {
    const filter = new LogLineFilter(o.after);
    let pending = '';
    const emit = (raw: string) => {
      const l = filter.accept(raw);
      if (l) o.onLine(l.line, l.ts);
    };
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, { method: 'GET', headers, agent: init.agent as http.Agent | undefined, signal: o.signal }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c.slice(0, 2000)));
        res.on('end', () => reject(logError(res.statusCode ?? 0, body, what)));
        res.on('error', (err) => reject(toSpnasError(err, what)));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          emit(pending.slice(0, nl).replace(/\r$/, ''));
          pending = pending.slice(nl + 1);
        }
      });
      const end = () => {
        if (pending !== '') emit(pending);
        pending = '';
        resolve(filter.position);
      };
      res.on('end', end);
      res.on('aborted', end);
      res.on('error', () => end());
    });
    req.on('error', (err) => (o.signal.aborted ? resolve(filter.position) : reject(toSpnasError(err, what))));
    req.end();
  });
}

/** RFC 3339 with optional fraction -> a string that sorts in time order (fraction padded to ns). */
export function timestampKey(ts: string): string {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(ts);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z` : ts;
}

/** A refused log request: RBAC problems keep their K8S_FORBIDDEN hint, anything else says what the server said. */
function logError(status: number, body: string, what: string): SpnasError {
  const err = Object.assign(new Error(`HTTP ${status}`), { statusCode: status });
  if (status === 401 || status === 403 || status === 429 || status >= 500) return toSpnasError(err, what);
  let msg = body.trim();
  try {
    msg = (JSON.parse(msg) as { message?: string }).message ?? msg;
  } catch {
    // not a Status object
  }
  return new SpnasError('K8S_LOG_UNAVAILABLE', `${what}: HTTP ${status}: ${msg}`, { retryable: true });
}

/**
 * Splits `<RFC 3339 timestamp> <text>` lines and drops what an earlier stream already delivered. A
 * reconnect starts at sinceTime (whole seconds), so it replays: lines older than the last delivered
 * timestamp are skipped, and of lines with exactly that timestamp as many as were delivered.
 */
export class LogLineFilter {
  position: LogPosition | undefined;
  private resumeKey: string | undefined;
  private skip: number;

  constructor(after?: LogPosition) {
    this.position = after ? { ...after } : undefined;
    this.resumeKey = after ? timestampKey(after.ts) : undefined;
    this.skip = after?.count ?? 0;
  }

  /** The line to deliver, or null for a replayed one. */
  accept(raw: string): { line: string; ts: string } | null {
    const sp = raw.indexOf(' ');
    const ts = sp > 0 && /^\d{4}-\d\d-\d\dT/.test(raw) ? raw.slice(0, sp) : '';
    const line = ts ? raw.slice(sp + 1) : raw;
    if (this.resumeKey !== undefined && ts) {
      const key = timestampKey(ts);
      if (key < this.resumeKey) return null;
      if (key === this.resumeKey && this.skip > 0) {
        this.skip--;
        return null;
      }
      this.resumeKey = undefined; // past the replayed part: deliver everything from here on
    }
    if (ts) this.position = this.position?.ts === ts ? { ts, count: this.position.count + 1 } : { ts, count: 1 };
    return { line, ts };
  }
}
