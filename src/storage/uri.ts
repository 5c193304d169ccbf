/** Store URIs: `s3://bucket/prefix`, `file:///abs/path` and plain (relative or absolute) paths. */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InvalidInputError } from '../errors';

/** A parsed store location. */
export type StoreLocation = { kind: 's3'; bucket: string; prefix: string } | { kind: 'file'; path: string };

// S3 bucket naming rules (the subset that matters for a clear early error).
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses a store URI. Plain paths resolve against `cwd` (default: process.cwd()).
 * @throws InvalidInputError for an unsupported scheme or an invalid bucket name.
 */
export function parseStoreUri(uri: string, cwd = process.cwd()): StoreLocation {
  if (uri.startsWith('s3://')) {
    const rest = uri.slice(5);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : trimSlashes(rest.slice(slash + 1));
    if (!BUCKET_RE.test(bucket)) {
      throw new InvalidInputError(`invalid S3 bucket name '${bucket}' in '${uri}': use s3://<bucket>/<prefix> with a lowercase bucket name`);
    }
    return { kind: 's3', bucket, prefix };
  }
  if (uri.startsWith('file://')) return { kind: 'file', path: fileURLToPath(uri) };
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(uri)) {
    throw new InvalidInputError(`unsupported store URI '${uri}': use s3://bucket/prefix, file:///path or a plain path`);
  }
  if (uri === '') throw new InvalidInputError('empty store URI: use s3://bucket/prefix, file:///path or a plain path');
  return { kind: 'file', path: resolve(cwd, uri) };
}

/** The canonical URI of a location (plain paths become file:// URIs). */
export function formatStoreUri(loc: StoreLocation): string {
  if (loc.kind === 's3') return loc.prefix ? `s3://${loc.bucket}/${loc.prefix}` : `s3://${loc.bucket}`;
  return pathToFileURL(loc.path).href;
}

/** Strips leading and trailing slashes. */
export function trimSlashes(s: string): string {
  return s.replace(/^\/+/, '').replace(/\/+$/, '');
}

/** Joins key segments with single slashes, ignoring empty ones. */
export function joinKey(...parts: string[]): string {
  return parts
    .map(trimSlashes)
    .filter((p) => p !== '')
    .join('/');
}

/**
 * Rejects keys that could escape the store root or are ambiguous (`..`, `.`, empty segments,
 * backslashes). Keys come from manifests and listings, so this is a safety check, not a formality.
 * @throws InvalidInputError naming the key.
 */
export function assertSafeKey(key: string): void {
  const bad =
    key === '' || key.includes('\\') || key.includes('\0') || key.startsWith('/') || key.split('/').some((seg) => seg === '' || seg === '.' || seg === '..');
  if (bad) throw new InvalidInputError(`invalid object key '${key}': keys are relative, '/'-separated, without '.', '..' or empty segments`);
}

/**
 * Splits a URI into its parent (a store root) and its last segment, e.g.
 * `s3://b/data/train-{0..4}.tar` -> [`s3://b/data`, `train-{0..4}.tar`].
 */
export function splitParent(uri: string): [parent: string, name: string] {
  const loc = parseStoreUri(uri);
  if (loc.kind === 's3') {
    const i = loc.prefix.lastIndexOf('/');
    const parent = i < 0 ? '' : loc.prefix.slice(0, i);
    return [formatStoreUri({ kind: 's3', bucket: loc.bucket, prefix: parent }), loc.prefix.slice(i + 1)];
  }
  const i = loc.path.lastIndexOf('/');
  return [formatStoreUri({ kind: 'file', path: loc.path.slice(0, i) || '/' }), loc.path.slice(i + 1)];
}
