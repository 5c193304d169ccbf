/**
 * Multi-object artifacts published atomically: every file is written first, the manifest (listing
 * each file with its size and sha256) last. Readers look only at the manifest, so a crash at any
 * point leaves either the previous artifact or the complete new one visible, never a mix.
 */
import { z } from 'zod';
import { DataError } from '../errors';
import { sha256Hex } from './hash';
import type { CallOptions, ObjectStore } from './object-store';
import { assertSafeKey, joinKey } from './uri';

/** Name of the manifest object inside an artifact prefix. */
export const MANIFEST_NAME = 'manifest.json';

const fileEntry = z.object({
  // Paths come from storage and are joined onto a prefix: no '.', '..' or empty segments.
  path: z
    .string()
    .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a relative path of [A-Za-z0-9._-] segments')
    .refine((p) => p.split('/').every((seg) => seg !== '.' && seg !== '..'), "must not contain '.' or '..' segments"),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** Schema of an artifact manifest (validated on every read: it comes from storage, not from us). */
export const artifactManifestSchema = z.object({
  format: z.literal('spnas-artifact'),
  version: z.literal(1),
  kind: z.string().min(1),
  createdAt: z.string(),
  files: z.array(fileEntry),
  meta: z.unknown(),
});

/** A parsed manifest. `meta` is kind-specific and validated by the kind's own reader. */
export type ArtifactManifest = z.infer<typeof artifactManifestSchema>;
/** One file entry of a manifest. */
export type ArtifactFile = z.infer<typeof fileEntry>;

/**
 * Writes `files` under `prefix`, then the manifest. Any previous manifest at `prefix` is deleted
 * first, so overwriting an artifact in place never shows old metadata with new files.
 * `meta` may be a function of the written entries (to copy hashes into kind-specific metadata).
 * @returns the manifest that was published.
 */
export async function publishArtifact(
  store: ObjectStore,
  prefix: string,
  kind: string,
  files: { path: string; data: Uint8Array; contentType?: string }[],
  meta: unknown | ((written: ArtifactFile[]) => unknown),
  opts: CallOptions = {},
): Promise<ArtifactManifest> {
  await store.delete(joinKey(prefix, MANIFEST_NAME), opts);
  const entries: ArtifactFile[] = [];
  for (const f of files) {
    assertSafeKey(f.path);
    const res = await store.put(joinKey(prefix, f.path), f.data, f.contentType ? { ...opts, contentType: f.contentType } : opts);
    entries.push({ path: f.path, size: res.size, sha256: res.sha256 });
  }
  const metaValue = typeof meta === 'function' ? (meta as (w: ArtifactFile[]) => unknown)(entries) : meta;
  const manifest: ArtifactManifest = { format: 'spnas-artifact', version: 1, kind, createdAt: new Date().toISOString(), files: entries, meta: metaValue };
  await store.put(joinKey(prefix, MANIFEST_NAME), JSON.stringify(manifest, null, 1), { ...opts, contentType: 'application/json' });
  return manifest;
}

/**
 * Reads and validates the manifest at `prefix`. JSON.parse only: nothing from the file is evaluated.
 * @returns null when there is no manifest (an unpublished or half-written artifact).
 * @throws DataError naming the object when the manifest is malformed or of another kind.
 */
export async function readArtifactManifest(store: ObjectStore, prefix: string, kind: string, opts: CallOptions = {}): Promise<ArtifactManifest | null> {
  const key = joinKey(prefix, MANIFEST_NAME);
  let raw: Uint8Array;
  try {
    raw = await store.get(key, opts);
  } catch (err) {
    if ((err as { code?: string }).code === 'NOT_FOUND') return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (err) {
    throw new DataError(`corrupt manifest ${store.uri}/${key}: not JSON`, { code: 'CORRUPT_MANIFEST', cause: err });
  }
  const parsed = artifactManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new DataError(`corrupt manifest ${store.uri}/${key}: ${issues}`, { code: 'CORRUPT_MANIFEST' });
  }
  if (parsed.data.kind !== kind) {
    throw new DataError(`manifest ${store.uri}/${key} is a '${parsed.data.kind}' artifact, expected '${kind}'`, { code: 'CORRUPT_MANIFEST' });
  }
  return parsed.data;
}

/**
 * Reads one file of an artifact and checks its size and sha256 against the manifest.
 * @throws DataError naming the object on a missing file, size or hash mismatch.
 */
export async function readArtifactFile(store: ObjectStore, prefix: string, file: ArtifactFile, opts: CallOptions = {}): Promise<Uint8Array> {
  const key = joinKey(prefix, file.path);
  const data = await store.get(key, opts);
  if (data.byteLength !== file.size) {
    throw new DataError(`${store.uri}/${key}: ${data.byteLength} bytes, manifest says ${file.size}`, { code: 'CORRUPT_ARTIFACT' });
  }
  const sha = sha256Hex(data);
  if (sha !== file.sha256) {
    throw new DataError(`${store.uri}/${key}: sha256 ${sha} does not match the manifest's ${file.sha256}`, { code: 'CORRUPT_ARTIFACT' });
  }
  return data;
}
