/** `openStore(uri)`: the one way code outside src/storage obtains a store. */
import { LocalStore } from './local-store';
import type { ObjectStore } from './object-store';
import { S3Store, type S3StoreOptions } from './s3-store';
import { parseStoreUri } from './uri';

/** Backend options; only S3 has any. Settings such as endpoints come from the environment, not here. */
export type OpenStoreOptions = S3StoreOptions;

/**
 * Opens the store rooted at `uri`: `s3://bucket/prefix`, `file:///abs/dir` or a plain path
 * (relative paths resolve against the working directory). Opening does no I/O.
 * @throws InvalidInputError for an unsupported scheme or a malformed bucket name / AWS setting.
 */
export function openStore(uri: string, opts: OpenStoreOptions = {}): ObjectStore {
  const loc = parseStoreUri(uri);
  return loc.kind === 's3' ? new S3Store(loc.bucket, loc.prefix, opts) : new LocalStore(loc.path);
}
