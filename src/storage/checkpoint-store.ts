/**
 * Training checkpoints: one prefix per step holding raw little-endian tensor files and a JSON manifest
 * written last (see artifact.ts), so a crash mid-save never makes a half-written checkpoint visible.
 *
 * Layout under the store prefix:
 *   step-000000001200/t-00000.bin ...   tensors, in the order given to save()
 *   step-000000001200/manifest.json     {format, version, kind: 'checkpoint', files[], meta: {step, tensors[], state}}
 */
import { z } from 'zod';
import { DataError, InvalidInputError } from '../errors';
import { publishArtifact, readArtifactFile, readArtifactManifest, MANIFEST_NAME, type ArtifactFile } from './artifact';
import type { CallOptions, ObjectStore } from './object-store';
import { decodeTensor, elementCount, encodeTensor, type TensorData, type TensorDtype } from './tensor-codec';
import { joinKey } from './uri';

export type { TensorData, TensorDtype } from './tensor-codec';

const KIND = 'checkpoint';
const STEP_DIR_RE = /^step-(\d{12})\//;

/** What a caller saves: named tensors plus any JSON-serialisable state (optimizer, RNG, data position). */
export interface CheckpointData {
  /** Tensors by name (e.g. tf variable names such as `stem/conv/kernel`); any string is allowed. */
  tensors: Record<string, TensorData>;
  /** Arbitrary JSON (JSON.stringify round trip): epoch, batch index, learning-rate schedule, RNG seeds. */
  state: unknown;
}

/** A loaded, verified checkpoint. */
export interface Checkpoint extends CheckpointData {
  step: number;
  /** URI of the checkpoint's prefix, for logs and Temporal heartbeat details. */
  uri: string;
  /** ISO time of the save. */
  createdAt: string;
}

/** Options of a CheckpointStore. */
export interface CheckpointStoreOptions {
  /** How many complete checkpoints to keep; older ones are deleted after each successful save. Default 3. */
  keep?: number;
}

const tensorEntry = z.object({
  name: z.string(),
  file: z.string().regex(/^t-\d{5}\.bin$/),
  dtype: z.enum(['float32', 'int32']),
  shape: z.array(z.number().int().nonnegative()),
  byteLength: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
const metaSchema = z.object({ step: z.number().int().nonnegative(), tensors: z.array(tensorEntry), state: z.unknown() });

/**
 * Saves, lists, loads and prunes checkpoints under `prefix` of an ObjectStore. One writer per prefix
 * (the activity that trains); any number of readers.
 *
 * @example
 *   const ckpts = new CheckpointStore(openStore('s3://runs/study-1/trial-7'), 'checkpoints', { keep: 3 });
 *   await ckpts.save(step, { tensors: { 'dense/kernel': { dtype: 'float32', shape: [64, 10], data } }, state: { epoch, batch } });
 *   const last = await ckpts.latest(); // null on a fresh run
 */
export class CheckpointStore {
  private readonly keep: number;

  constructor(readonly store: ObjectStore, readonly prefix: string, opts: CheckpointStoreOptions = {}) {
    this.keep = opts.keep ?? 3;
    if (!Number.isInteger(this.keep) || this.keep < 1) throw new InvalidInputError(`CheckpointStore keep=${opts.keep}: must be an integer >= 1`);
  }

  private stepPrefix(step: number): string {
    return joinKey(this.prefix, `step-${String(step).padStart(12, '0')}`);
  }

  /**
   * Writes checkpoint `step` (tensors first, manifest last), then deletes checkpoints beyond the
   * newest `keep` and leftovers of crashed saves older than `step`. Re-saving an existing step
   * replaces it.
   * @returns the URI of the published checkpoint.
   * @throws InvalidInputError for a bad step, a tensor whose shape/dtype/data disagree, or non-JSON state.
   */
  async save(step: number, data: CheckpointData, opts: CallOptions = {}): Promise<{ step: number; uri: string }> {
    if (!Number.isSafeInteger(step) || step < 0) throw new InvalidInputError(`checkpoint step ${step}: must be a non-negative integer`);
    const names = Object.keys(data.tensors);
    const files = names.map((name, i) => ({ path: `t-${String(i).padStart(5, '0')}.bin`, data: encodeTensor(name, data.tensors[name]!) }));
    let state: unknown;
    try {
      state = data.state === undefined ? null : JSON.parse(JSON.stringify(data.state));
    } catch (err) {
      throw new InvalidInputError(`checkpoint step ${step}: state is not JSON-serialisable`, { cause: err });
    }
    const prefix = this.stepPrefix(step);
    await publishArtifact(this.store, prefix, KIND, files, (written: ArtifactFile[]) => ({
      step,
      tensors: names.map((name, i) => {
        const t = data.tensors[name]!;
        return { name, file: written[i]!.path, dtype: t.dtype, shape: [...t.shape], byteLength: written[i]!.size, sha256: written[i]!.sha256 };
      }),
      state,
    }), opts);
    await this.prune(step, opts);
    return { step, uri: `${this.store.uri}/${prefix}` };
  }

  /** Steps of every complete (manifest present) checkpoint, ascending. Does not verify tensors. */
  async steps(opts: CallOptions = {}): Promise<number[]> {
    return (await this.scan(opts)).complete;
  }

  /** Complete steps and every step prefix seen (complete or not), both ascending. */
  private async scan(opts: CallOptions): Promise<{ complete: number[]; all: number[] }> {
    const base = this.prefix ? `${this.prefix.replace(/\/+$/, '')}/` : '';
    const complete = new Set<number>();
    const all = new Set<number>();
    for (const o of await this.store.list(base, opts)) {
      const m = STEP_DIR_RE.exec(o.key.slice(base.length));
      if (!m) continue;
      const step = Number(m[1]);
      all.add(step);
      if (o.key.slice(base.length + m[0].length) === MANIFEST_NAME) complete.add(step);
    }
    const asc = (a: number, b: number) => a - b;
    return { complete: [...complete].sort(asc), all: [...all].sort(asc) };
  }

  /**
   * Deletes complete checkpoints beyond the newest `keep`, and incomplete ones older than `savedStep`
   * (leftovers of crashed saves). Incomplete steps newer than `savedStep` are left alone.
   */
  private async prune(savedStep: number, opts: CallOptions): Promise<void> {
    const { complete, all } = await this.scan(opts);
    const kept = new Set(complete.slice(-this.keep));
    for (const step of all) {
      if (step < savedStep && !kept.has(step)) {
        // Manifest first: a reader racing with the prune sees "incomplete", never missing tensors.
        await this.store.delete(joinKey(this.stepPrefix(step), MANIFEST_NAME), opts);
        await this.store.deletePrefix(this.stepPrefix(step) + '/', opts);
      }
    }
  }

  /**
   * The newest complete checkpoint, loaded and verified, or null when there is none. A checkpoint
   * whose manifest is missing, malformed, or whose tensors fail verification is skipped in favour
   * of the next older one (the reasons are in `skipped`, for logs).
   */
  async latest(opts: CallOptions & { skipped?: string[] } = {}): Promise<Checkpoint | null> {
    const { complete } = await this.scan(opts);
    for (const step of complete.reverse()) {
      try {
        return await this.load(step, opts);
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        opts.skipped?.push(err.message);
      }
    }
    return null;
  }

  /**
   * Loads checkpoint `step` and verifies it: manifest schema, tensor byte lengths against shapes,
   * sha256 of every file. JSON.parse only; nothing from the files is evaluated.
   * @throws DataError (code NOT_FOUND when the checkpoint has no manifest, CORRUPT_* otherwise).
   */
  async load(step: number, opts: CallOptions = {}): Promise<Checkpoint> {
    const prefix = this.stepPrefix(step);
    const where = `${this.store.uri}/${prefix}`;
    const manifest = await readArtifactManifest(this.store, prefix, KIND, opts);
    if (!manifest) throw new DataError(`no complete checkpoint at ${where} (manifest missing)`, { code: 'NOT_FOUND' });
    const parsed = metaSchema.safeParse(manifest.meta);
    if (!parsed.success) {
      throw new DataError(`corrupt checkpoint manifest ${where}/${MANIFEST_NAME}: ${parsed.error.issues.map((i) => `meta.${i.path.join('.')}: ${i.message}`).join('; ')}`, { code: 'CORRUPT_MANIFEST' });
    }
    const meta = parsed.data;
    if (meta.step !== step) throw new DataError(`checkpoint manifest ${where}/${MANIFEST_NAME} says step ${meta.step}`, { code: 'CORRUPT_MANIFEST' });
    // Null prototype: a tensor named "__proto__" must stay an ordinary entry.
    const tensors: Record<string, TensorData> = Object.create(null) as Record<string, TensorData>;
    for (const t of meta.tensors) {
      const file = manifest.files.find((f) => f.path === t.file);
      const tw = `${where}/${t.file} (tensor '${t.name}')`;
      if (!file || file.sha256 !== t.sha256 || file.size !== t.byteLength) throw new DataError(`${tw}: tensor entry disagrees with the file list`, { code: 'CORRUPT_MANIFEST' });
      if (t.byteLength !== elementCount(t.shape) * 4) throw new DataError(`${tw}: byteLength ${t.byteLength} does not fit shape [${t.shape.join(', ')}]`, { code: 'CORRUPT_MANIFEST' });
      if (Object.prototype.hasOwnProperty.call(tensors, t.name)) throw new DataError(`${tw}: duplicate tensor name`, { code: 'CORRUPT_MANIFEST' });
      const bytes = await readArtifactFile(this.store, prefix, file, opts);
      tensors[t.name] = decodeTensor(tw, t.dtype as TensorDtype, t.shape, bytes);
    }
    return { step, uri: where, createdAt: manifest.createdAt, tensors, state: meta.state };
  }
}
