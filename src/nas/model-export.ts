/**
 * Exporting a trained child as a TF.js layers model (model.json + weight shards), with
 * architecture.json and an artifact manifest (space, seed, data, lambda, metrics) beside it, published
 * atomically through an ObjectStore (local or S3).
 *
 * Loading never deserialises the stored topology: it validates architecture.json, rebuilds the network
 * with buildChild, and copies weights by name after checking names, dtypes, shapes, sizes and hashes.
 * Nothing in a model directory is ever executed.
 */
import type * as TF from '@tensorflow/tfjs';
import { z } from 'zod';
import { parseOrThrow } from '../config/zod-issues';
import { DataError, InvalidInputError, SpnasError } from '../errors';
import { parseArchitecture, type Architecture } from '../space/architecture';
import type { SearchSpace } from '../space/spec';
import { publishArtifact, readArtifactFile, readArtifactManifest, type ArtifactManifest } from '../storage/artifact';
import type { ObjectStore } from '../storage/object-store';
import { buildChild } from './child-builder';
import { namedModelVariables } from './train-child';

export const MODEL_KIND = 'spnas-model';
const SHARD_BYTES = 4 * 1024 * 1024;

export interface ModelMeta {
  space: SearchSpace;
  architecture: Architecture;
  seed: number;
  /** Where the training data came from and how it was split. */
  data: unknown;
  /** The search's runtime-loss settings (lambda etc.), when the architecture came from a search. */
  search?: unknown;
  /** Held-out accuracy, latency (with the backend and threads it was measured on), MACs, params. */
  metrics: Record<string, number | string | boolean>;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** Writes model.json, weight shards, architecture.json and the manifest under `prefix`. */
export async function exportModel(tf: typeof TF, model: TF.LayersModel, store: ObjectStore, prefix: string, meta: ModelMeta): Promise<ArtifactManifest> {
  const named = namedModelVariables(model);
  const specs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  for (const [name, v] of named) {
    specs.push({ name, shape: [...v.shape], dtype: 'float32' });
    const d = v.dataSync() as Float32Array;
    chunks.push(new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength)));
  }
  const all = Buffer.concat(chunks);
  const shards: Array<{ path: string; data: Uint8Array }> = [];
  const nShards = Math.max(1, Math.ceil(all.byteLength / SHARD_BYTES));
  for (let i = 0; i < nShards; i++) shards.push({ path: `group1-shard${i + 1}of${nShards}.bin`, data: all.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES) });
  const topology = model.toJSON(null, false) as object;
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: 'spnas',
    modelTopology: topology,
    weightsManifest: [{ paths: shards.map((s) => s.path), weights: specs }],
  };
  const files = [
    { path: 'model.json', data: Buffer.from(JSON.stringify(modelJson)) },
    ...shards,
    { path: 'architecture.json', data: Buffer.from(JSON.stringify(meta.architecture, null, 2)) },
  ];
  return publishArtifact(store, prefix, MODEL_KIND, files, meta);
}

export interface LoadedModel {
  model: TF.LayersModel;
  meta: ModelMeta;
}

// What loadModel accepts from a model directory; everything else in it is ignored.
const metaSchema = z
  .object({
    space: z.unknown(),
    architecture: z.unknown().optional(),
    seed: z.number().int(),
    data: z.unknown(),
    search: z.unknown().optional(),
    metrics: z.record(z.string(), z.unknown()),
  })
  .passthrough();
const weightSpecSchema = z.object({ name: z.string().min(1), shape: z.array(z.number().int().nonnegative()).max(4), dtype: z.literal('float32') });
const modelJsonSchema = z
  .object({ weightsManifest: z.array(z.object({ paths: z.array(z.string()).min(1), weights: z.array(weightSpecSchema) })).length(1) })
  .passthrough();

/**
 * Loads an exported model safely (see the file comment).
 * @throws DataError (code CORRUPT_ARTIFACT unless the store says NOT_FOUND) naming the model and the
 *   file for anything malformed, tampered or not fitting: the manifest's hashes, JSON syntax, the
 *   schema of model.json and the meta, the architecture against the space, every weight's name,
 *   shape and finiteness, and the total size of the shards.
 */
export async function loadModel(tf: typeof TF, store: ObjectStore, prefix: string, parseSpace: (v: unknown) => SearchSpace): Promise<LoadedModel> {
  const where = prefix ? `${store.uri}/${prefix}` : store.uri;
  const corrupt = (what: string, cause?: unknown) =>
    new DataError(`model ${where}: ${what}; re-export it ('spnas train' or 'spnas export')`, { code: 'CORRUPT_ARTIFACT', cause });
  const manifest = await readArtifactManifest(store, prefix, MODEL_KIND);
  if (!manifest) throw new InvalidInputError(`no exported model at ${where}: expected a manifest.json written by 'spnas train' or 'spnas export'`);
  const file = (p: string) => {
    const f = manifest.files.find((x) => x.path === p);
    if (!f) throw corrupt(`manifest lists no '${p}'`);
    return f;
  };
  const read = async (p: string): Promise<Uint8Array> => {
    const f = file(p);
    try {
      return await readArtifactFile(store, prefix, f);
    } catch (err) {
      throw (err as { code?: string }).code === 'NOT_FOUND' ? corrupt(`'${p}' is listed in its manifest but missing`, err) : err;
    }
  };
  const json = async (p: string): Promise<unknown> => {
    const text = Buffer.from(await read(p)).toString('utf8');
    try {
      return JSON.parse(text);
    } catch (err) {
      throw corrupt(`${p} is not valid JSON (${(err as Error).message})`, err);
    }
  };
  const checked = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw err instanceof SpnasError && err.code !== 'INVALID_INPUT' ? err : corrupt(`${what}: ${(err as Error).message}`, err);
    }
  };

  const archJson = await json('architecture.json');
  const modelJson = await json('model.json');
  const meta = checked('manifest meta', () => parseOrThrow(metaSchema, manifest.meta, 'meta'));
  const space = checked('the space in its manifest', () => parseSpace(meta.space));
  const arch = checked('architecture.json', () => parseArchitecture(space, archJson, 'architecture'));
  if (
    meta.architecture !== undefined &&
    JSON.stringify(checked('the architecture in its manifest', () => parseArchitecture(space, meta.architecture, 'architecture'))) !== JSON.stringify(arch)
  ) {
    throw corrupt('architecture.json and the manifest name different architectures');
  }
  const group = checked('model.json', () => parseOrThrow(modelJsonSchema, modelJson, 'model.json')).weightsManifest[0]!;
  const bytes = Buffer.concat(await Promise.all(group.paths.map(read)));
  const stored = group.weights.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (stored !== bytes.byteLength) throw corrupt(`model.json lists ${stored} bytes of weights, the shards hold ${bytes.byteLength}`);

  const model = buildChild(tf, space, arch, { seed: 0 });
  try {
    const byName = new Map(namedModelVariables(model));
    let offset = 0;
    for (const spec of group.weights) {
      const v = byName.get(spec.name);
      if (!v || v.shape.join(',') !== spec.shape.join(',')) {
        throw corrupt(
          `weight '${spec.name}' [${spec.shape}] ${v ? `has the wrong shape (the architecture's network has [${v.shape}])` : "is not in the architecture's network (or is listed twice)"}`,
        );
      }
      const n = spec.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 4 * n));
      if (!data.every(Number.isFinite)) throw corrupt(`weight '${spec.name}' holds NaN or infinite values`);
      tf.tidy(() => v.assign(tf.tensor(data, spec.shape, 'float32')));
      byName.delete(spec.name);
      offset += 4 * n;
    }
    if (byName.size > 0)
      throw corrupt(`no stored value for ${[...byName.keys()].slice(0, 3).join(', ')}${byName.size > 3 ? ` and ${byName.size - 3} more` : ''}`);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, meta: { ...(meta as unknown as ModelMeta), space, architecture: arch } };
}
