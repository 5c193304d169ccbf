/**
 * The one interface every activity, pod and CLI command reads and writes through. A store is rooted
 * at a URI (`file:///runs/x`, `/runs/x`, `s3://bucket/runs/x`); keys are relative to that root and
 * always use `/` separators, so the same code runs against local disk and S3.
 */

/** Options every store call accepts. */
export interface CallOptions {
  /** Cancels the call (and any retry wait); the call then rejects with CancelledError. */
  signal?: AbortSignal;
}

/** Metadata of one stored object. */
export interface ObjectInfo {
  /** Key relative to the store root. */
  key: string;
  /** Size in bytes. */
  size: number;
  lastModified?: Date;
  /** Hex sha256 of the content when the store recorded one at write time (S3 user metadata). */
  sha256?: string;
  /** Version tag that changes on every write (S3 ETag; local: inode, size and mtime); for `ifMatch`. */
  etag?: string;
}

/** What a completed write returns. */
export interface PutResult {
  key: string;
  size: number;
  /** Hex sha256 of the bytes written, computed while writing: record it in artifact manifests. */
  sha256: string;
  /** Version tag of the object written, when the backend returns one (S3 ETag, local stat tag). */
  etag?: string;
}

/** Options for writes. */
export interface PutOptions extends CallOptions {
  contentType?: string;
  /**
   * Write only if the object does not exist ('*'), else reject with PRECONDITION_FAILED. Atomic on
   * both backends (S3 `If-None-Match: *`; local: link(2) of the finished temp file).
   */
  ifNoneMatch?: '*';
  /**
   * Write only if the object's current `etag` is this one, else reject with PRECONDITION_FAILED.
   * Atomic on S3 (`If-Match`); on local disk a check immediately before the rename (not atomic
   * against another process's rename: the run lease, not this, is what serialises local writers).
   */
  ifMatch?: string;
}

/** Options for streaming reads. */
export interface GetStreamOptions extends CallOptions {
  /** First byte to read (inclusive). Default 0. */
  start?: number;
}

/**
 * A URI-rooted object store.
 *
 * Every `put`/`putStream` is atomic per object: readers see the previous content or the complete new
 * content, never a prefix (local: temp file + fsync + rename; S3: a PUT or CompleteMultipartUpload
 * only becomes visible when finished). Multi-object artifacts (checkpoints) build on this by writing
 * a manifest last, see {@link publishArtifact}.
 *
 * Errors: a missing key rejects with DataError code `NOT_FOUND`; transient faults (5xx, connection
 * refused/reset, timeouts) are retried with backoff and, once exhausted, reject with TransientError;
 * bad credentials / missing bucket reject with InvalidInputError; an aborted signal with CancelledError.
 */
export interface ObjectStore {
  /** The normalised root URI (`file:///abs/dir` or `s3://bucket/prefix`), without credentials. */
  readonly uri: string;
  /** Reads a whole object into memory. */
  get(key: string, opts?: CallOptions): Promise<Uint8Array>;
  /** Streams an object: memory stays bounded by the chunk size whatever the object size. */
  getStream(key: string, opts?: GetStreamOptions): AsyncIterable<Uint8Array>;
  /** Writes a whole object atomically (multipart on S3 above the part threshold). */
  put(key: string, data: Uint8Array | string, opts?: PutOptions): Promise<PutResult>;
  /**
   * Writes an object from a stream atomically. A stream cannot be replayed, so a transient failure
   * of the whole upload is not retried here: callers holding the bytes in memory should use `put`.
   */
  putStream(key: string, data: AsyncIterable<Uint8Array>, opts?: PutOptions): Promise<PutResult>;
  /** Metadata, or null when the key does not exist. */
  head(key: string, opts?: CallOptions): Promise<ObjectInfo | null>;
  /** Every object whose key starts with `prefix` (string prefix, not only directories), sorted by key. */
  list(prefix: string, opts?: CallOptions): Promise<ObjectInfo[]>;
  /** Deletes one object; deleting a missing key is not an error. */
  delete(key: string, opts?: CallOptions): Promise<void>;
  /** Deletes every object under `prefix`; returns how many were deleted. */
  deletePrefix(prefix: string, opts?: CallOptions): Promise<number>;
}
