/** The `s3://bucket/prefix` backend (AWS S3 and S3-compatible servers), with typed retries. */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { TransientError } from '../errors';
import { HashingTap, sha256Hex } from './hash';
import type { CallOptions, GetStreamOptions, ObjectInfo, ObjectStore, PutOptions, PutResult } from './object-store';
import { DEFAULT_RETRY, sleep, throwIfAborted, withRetry, type RetryOptions } from '../async/retry';
import { createS3Client, type S3Settings, type S3TimeoutOptions } from './s3-config';
import { mapS3Error } from './s3-errors';
import { assertSafeKey, formatStoreUri } from './uri';

const MiB = 1024 * 1024;

/** Tuning of the S3 backend; every field has a default. */
export interface S3StoreOptions extends S3TimeoutOptions {
  /** Environment to read AWS_* settings from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Retry policy for transient faults. Default {@link DEFAULT_RETRY}. */
  retry?: RetryOptions;
  /** Objects larger than this go through a multipart upload. Default 16 MiB. */
  multipartThreshold?: number;
  /** Multipart part size (S3 minimum 5 MiB). Default 8 MiB. */
  partSize?: number;
  /** Parts uploaded concurrently; memory use is about queueSize * partSize. Default 2. */
  queueSize?: number;
}

/** S3 store rooted at `s3://bucket/prefix`. */
export class S3Store implements ObjectStore {
  readonly uri: string;
  readonly client: S3Client;
  readonly settings: S3Settings;
  private readonly retry: RetryOptions;
  private readonly threshold: number;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(
    readonly bucket: string,
    readonly prefix: string,
    opts: S3StoreOptions = {},
  ) {
    this.uri = formatStoreUri({ kind: 's3', bucket, prefix });
    ({ client: this.client, settings: this.settings } = createS3Client(opts.env, opts));
    this.retry = opts.retry ?? {};
    this.partSize = Math.max(5 * MiB, opts.partSize ?? 8 * MiB);
    this.threshold = opts.multipartThreshold ?? 16 * MiB;
    this.queueSize = opts.queueSize ?? 2;
  }

  private fullKey(key: string): string {
    assertSafeKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  /** Runs one S3 call with error mapping and retries. */
  private call<T>(op: string, key: string | undefined, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    const ctx = { op, bucket: this.bucket, key: key === undefined ? undefined : this.prefix ? `${this.prefix}/${key}` : key, endpoint: this.settings.endpoint };
    return withRetry(
      `S3 ${op} s3://${this.bucket}/${ctx.key ?? ''}`,
      async () => {
        try {
          return await fn();
        } catch (err) {
          throw mapS3Error(err, ctx);
        }
      },
      { ...this.retry, signal },
    );
  }

  async get(key: string, opts: CallOptions = {}): Promise<Uint8Array> {
    const Key = this.fullKey(key);
    return this.call('GetObject', key, opts.signal, async () => {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }), { abortSignal: opts.signal });
      // Reading the body is inside the retried call: a reset mid-body re-fetches the whole object.
      return res.Body ? await res.Body.transformToByteArray() : new Uint8Array(0);
    });
  }

  /**
   * Streams an object. A transient failure mid-stream re-opens the object at the byte offset already
   * delivered (Range + If-Match on the first ETag), so a server restart does not restart a 1 GB shard.
   */
  async *getStream(key: string, opts: GetStreamOptions = {}): AsyncGenerator<Uint8Array> {
    const Key = this.fullKey(key);
    let offset = opts.start ?? 0;
    let etag: string | undefined;
    const attempts = this.retry.attempts ?? DEFAULT_RETRY.attempts;
    const ctx = { op: 'GetObject', bucket: this.bucket, key: Key, endpoint: this.settings.endpoint };
    for (let failures = 0; ;) {
      const body = await this.call('GetObject', key, opts.signal, async () => {
        const res = await this.client.send(
          new GetObjectCommand({
            Bucket: this.bucket,
            Key,
            ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}),
            ...(etag ? { IfMatch: etag } : {}),
          }),
          { abortSignal: opts.signal },
        );
        etag ??= res.ETag;
        return res.Body as Readable | undefined;
      });
      if (!body) return;
      try {
        for await (const chunk of body) {
          const bytes = chunk as Buffer;
          offset += bytes.byteLength;
          yield new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        }
        return;
      } catch (err) {
        const mapped = mapS3Error(err, ctx);
        failures++;
        if (!(mapped instanceof TransientError) || failures >= attempts) throw mapped;
        throwIfAborted(opts.signal, `S3 GetObject ${this.uri}/${key}`);
        const delayMs = Math.min(
          this.retry.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
          (this.retry.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs) * 2 ** (failures - 1),
        );
        this.retry.onRetry?.({ attempt: failures, delayMs, error: mapped });
        await sleep(delayMs, opts.signal);
      } finally {
        body.destroy();
      }
    }
  }

  async put(key: string, data: Uint8Array | string, opts: PutOptions = {}): Promise<PutResult> {
    const Key = this.fullKey(key);
    const bytes = typeof data === 'string' ? new Uint8Array(Buffer.from(data)) : data;
    const sha256 = sha256Hex(bytes);
    const params = { Bucket: this.bucket, Key, Body: bytes, Metadata: { sha256 }, ...(opts.contentType ? { ContentType: opts.contentType } : {}) };
    const conditions = { ...(opts.ifNoneMatch ? { IfNoneMatch: opts.ifNoneMatch } : {}), ...(opts.ifMatch ? { IfMatch: opts.ifMatch } : {}) };
    // Conditional writes always go as one PUT (up to 5 GiB): the condition then holds for the whole object.
    const multipart = bytes.byteLength > this.threshold && !opts.ifNoneMatch && !opts.ifMatch;
    const etag = await this.call(multipart ? 'MultipartUpload' : 'PutObject', key, opts.signal, async () => {
      if (multipart) return (await this.upload(params, opts.signal)).ETag;
      return (await this.client.send(new PutObjectCommand({ ...params, ...conditions, ContentLength: bytes.byteLength }), { abortSignal: opts.signal })).ETag;
    });
    return { key, size: bytes.byteLength, sha256, ...(etag ? { etag } : {}) };
  }

  /** Reads a whole object with its ETag, or null when it does not exist. */
  async getWithEtag(key: string, opts: CallOptions = {}): Promise<{ data: Uint8Array; etag: string } | null> {
    const Key = this.fullKey(key);
    try {
      return await this.call('GetObject', key, opts.signal, async () => {
        const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }), { abortSignal: opts.signal });
        return { data: res.Body ? await res.Body.transformToByteArray() : new Uint8Array(0), etag: res.ETag ?? '' };
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  async putStream(key: string, data: AsyncIterable<Uint8Array>, opts: PutOptions = {}): Promise<PutResult> {
    const Key = this.fullKey(key);
    const tap = new HashingTap();
    const ctx = { op: 'MultipartUpload', bucket: this.bucket, key: Key, endpoint: this.settings.endpoint };
    throwIfAborted(opts.signal, `S3 upload ${this.uri}/${key}`);
    try {
      await this.upload(
        { Bucket: this.bucket, Key, Body: Readable.from(tap.tap(data)), ...(opts.contentType ? { ContentType: opts.contentType } : {}) },
        opts.signal,
      );
    } catch (err) {
      throw mapS3Error(err, ctx);
    }
    return { key, size: tap.size, sha256: tap.digest() };
  }

  /** lib-storage Upload: parts in parallel; aborting the signal aborts the multipart upload server-side. */
  private async upload(params: ConstructorParameters<typeof Upload>[0]['params'], signal?: AbortSignal): Promise<{ ETag?: string }> {
    const abortController = new AbortController();
    const onAbort = () => abortController.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await new Upload({
        client: this.client,
        params,
        partSize: this.partSize,
        queueSize: this.queueSize,
        leavePartsOnError: false,
        abortController,
      }).done();
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async head(key: string, opts: CallOptions = {}): Promise<ObjectInfo | null> {
    const Key = this.fullKey(key);
    try {
      return await this.call('HeadObject', key, opts.signal, async () => {
        const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }), { abortSignal: opts.signal });
        const sha256 = res.Metadata?.sha256;
        return {
          key,
          size: res.ContentLength ?? 0,
          ...(res.LastModified ? { lastModified: res.LastModified } : {}),
          ...(sha256 ? { sha256 } : {}),
          ...(res.ETag ? { etag: res.ETag } : {}),
        };
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  async list(prefix: string, opts: CallOptions = {}): Promise<ObjectInfo[]> {
    // The root prefix is a directory: "data" must not match "data2/...".
    const root = this.prefix ? `${this.prefix}/` : '';
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('ListObjectsV2', prefix, opts.signal, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: root + prefix, ...(token ? { ContinuationToken: token } : {}) }), {
          abortSignal: opts.signal,
        }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key || !o.Key.startsWith(root)) continue;
        out.push({ key: o.Key.slice(root.length), size: o.Size ?? 0, ...(o.LastModified ? { lastModified: o.LastModified } : {}) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string, opts: CallOptions = {}): Promise<void> {
    const Key = this.fullKey(key);
    await this.call('DeleteObject', key, opts.signal, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }), { abortSignal: opts.signal }),
    );
  }

  async deletePrefix(prefix: string, opts: CallOptions = {}): Promise<number> {
    // One DeleteObject per key: DeleteObjects needs Content-MD5/checksum support that S3-compatible
    // servers implement unevenly, and artifact prefixes hold few objects.
    const objects = await this.list(prefix, opts);
    for (const o of objects) await this.delete(o.key, opts);
    return objects.length;
  }
}
