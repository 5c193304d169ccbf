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
import { DataError, InvalidInputError } from '../errors';
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
  metrics: Record<string, number>;
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

/** Loads an exported model safely (see the file comment). */
export async function loadModel(tf: typeof TF, store: ObjectStore, prefix: string, parseSpace: (v: unknown) => SearchSpace): Promise<LoadedModel> {
  const manifest = await readArtifactManifest(store, prefix, MODEL_KIND);
  if (!manifest) throw new InvalidInputError(`no exported model at ${store.uri}/${prefix}: expected a manifest.json written by 'spnas train' or 'spnas export'`);
  const m = manifest.meta as Partial<ModelMeta>;
  const space = parseSpace(m.space);
  const file = (p: string) => {
    const f = manifest.files.find((x) => x.path === p);
    if (!f) throw new DataError(`model ${store.uri}/${prefix}: manifest lists no '${p}'`, { code: 'CORRUPT_ARTIFACT' });
    return f;
  };
  const arch = parseArchitecture(space, JSON.parse(Buffer.from(await readArtifactFile(store, prefix, file('architecture.json'))).toString('utf8')), `${prefix}/architecture.json`);
  const modelJson = JSON.parse(Buffer.from(await readArtifactFile(store, prefix, file('model.json'))).toString('utf8')) as { weightsManifest?: Array<{ paths: string[]; weights: WeightSpec[] }> };
  const group = modelJson.weightsManifest?.[0];
  if (!group) throw new DataError(`model ${store.uri}/${prefix}/model.json has no weightsManifest`, { code: 'CORRUPT_ARTIFACT' });
  const bytes = Buffer.concat(await Promise.all(group.paths.map(async (p) => readArtifactFile(store, prefix, file(p)))));
  const model = buildChild(tf, space, arch, { seed: 0 });
  const byName = new Map(namedModelVariables(model));
  let offset = 0;
  for (const spec of group.weights) {
    const v = byName.get(spec.name);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (!v || spec.dtype !== 'float32' || v.shape.join(',') !== spec.shape.join(',') || offset + 4 * n > bytes.byteLength) {
      model.dispose();
      throw new DataError(`model ${store.uri}/${prefix}: weight '${spec.name}' [${spec.shape}] does not fit the architecture's network`, { code: 'CORRUPT_ARTIFACT' });
    }
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 4 * n));
    tf.tidy(() => v.assign(tf.tensor(data, spec.shape, 'float32')));
    byName.delete(spec.name);
    offset += 4 * n;
  }
  if (byName.size > 0) {
    model.dispose();
    throw new DataError(`model ${store.uri}/${prefix}: no stored value for ${[...byName.keys()].slice(0, 3).join(', ')}`, { code: 'CORRUPT_ARTIFACT' });
  }
  return { model, meta: { ...(m as ModelMeta), space, architecture: arch } };
}
