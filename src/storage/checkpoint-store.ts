/**
 * Training checkpoints: one directory per step holding raw little-endian tensor files and a JSON
 * manifest written last (see artifact.ts), so a crash mid-save never makes a half-written checkpoint visible.
 *
 * Layout under the store prefix:
 *   step-000000001200-g00000003/t-00000.bin ...  tensors, in the order given to save()
 *   step-000000001200-g00000003/manifest.json    {format, version, kind: 'checkpoint', files[], meta: {step, tensors[], state}}
 *
 * Through a run lease (`lease.fencedStore`), directories carry the writer's generation, so two
 * generations never write the same objects, and a checkpoint becomes visible only when the lease
 * commits it (a compare-and-swap that fails for a superseded writer). Readers then see exactly the
 * committed list. Runs without a lease use `step-000000001200/` and "manifest present" as before.
 */
import { z } from 'zod';
import { DataError, InvalidInputError } from '../errors';
import { publishArtifact, readArtifactFile, readArtifactManifest, MANIFEST_NAME, type ArtifactFile } from './artifact';
import { isFencedStore, type FencedStore } from './fenced-store';
import { readLeaseRecord } from './lease-record';
import type { CallOptions, ObjectStore } from './object-store';
import { decodeTensor, elementCount, encodeTensor, type TensorData, type TensorDtype } from './tensor-codec';
import { joinKey } from './uri';

export type { TensorData, TensorDtype } from './tensor-codec';

const KIND = 'checkpoint';
const STEP_DIR_RE = /^step-(\d{12})(?:-g(\d{8}))?\//;

/** One checkpoint directory under the prefix. `generation` is 0 for directories written without a lease. */
interface StepDir {
  name: string;
  step: number;
  generation: number;
  complete: boolean;
}

function dirName(step: number, generation: number): string {
  return `step-${String(step).padStart(12, '0')}${generation > 0 ? `-g${String(generation).padStart(8, '0')}` : ''}`;
}
const stepOf = (name: string): number => Number(name.slice(5, 17));
const byStep = (a: string, b: string): number => stepOf(a) - stepOf(b);

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
 * Saves, lists, loads and prunes checkpoints under `prefix` of an ObjectStore. One writer per prefix:
 * give it `lease.fencedStore` (RunLease) and a superseded writer fails with LeaseLostError instead of
 * writing; any number of readers, with or without the lease.
 *
 * @example
 *   const ckpts = new CheckpointStore(lease.fencedStore, 'checkpoints', { keep: 3 });
 *   await ckpts.save(step, { tensors: { 'dense/kernel': { dtype: 'float32', shape: [64, 10], data } }, state: { epoch, batch } });
 *   const last = await ckpts.latest(); // null on a fresh run
 */
export class CheckpointStore {
  private readonly keep: number;
  private readonly base: string;

  constructor(
    readonly store: ObjectStore,
    readonly prefix: string,
    opts: CheckpointStoreOptions = {},
  ) {
    this.keep = opts.keep ?? 3;
    if (!Number.isInteger(this.keep) || this.keep < 1) throw new InvalidInputError(`CheckpointStore keep=${opts.keep}: must be an integer >= 1`);
    this.base = prefix.replace(/\/+$/, '');
  }

  private dirKey(name: string): string {
    return joinKey(this.base, name);
  }

  /**
   * Writes checkpoint `step` (tensors first, manifest last), makes it visible (through a lease: by
   * committing it in the lease), then deletes checkpoints beyond the newest `keep` and this writer's
   * leftovers of failed saves. Re-saving an existing step replaces it.
   * @returns the URI of the published checkpoint.
   * @throws InvalidInputError for a bad step, a tensor whose shape/dtype/data disagree, non-JSON state,
   *   or a plain store on a leased run; LeaseLostError when the writer's lease was taken over.
   */
  async save(step: number, data: CheckpointData, opts: CallOptions = {}): Promise<{ step: number; uri: string }> {
    if (!Number.isSafeInteger(step) || step < 0 || step >= 1e12) throw new InvalidInputError(`checkpoint step ${step}: must be an integer in [0, 1e12)`);
    const names = Object.keys(data.tensors);
    const files = names.map((name, i) => ({ path: `t-${String(i).padStart(5, '0')}.bin`, data: encodeTensor(name, data.tensors[name]!) }));
    let state: unknown;
    try {
      state = data.state === undefined ? null : JSON.parse(JSON.stringify(data.state));
    } catch (err) {
      throw new InvalidInputError(`checkpoint step ${step}: state is not JSON-serialisable`, { cause: err });
    }
    const fenced = isFencedStore(this.store) ? this.store : undefined;
    if (fenced) {
      await fenced.lease.renew(opts); // a superseded writer stops here, having written nothing
    } else if (await readLeaseRecord(this.store, opts)) {
      throw new InvalidInputError(`${this.store.uri} is a leased run directory: write its checkpoints through RunLease's fencedStore, not a plain store`, {
        code: 'LEASED_RUN',
      });
    }
    const name = dirName(step, fenced?.lease.generation ?? 0);
    const meta = (written: ArtifactFile[]) => ({
      step,
      tensors: names.map((n, i) => {
        const t = data.tensors[n]!;
        return { name: n, file: written[i]!.path, dtype: t.dtype, shape: [...t.shape], byteLength: written[i]!.size, sha256: written[i]!.sha256 };
      }),
      state,
    });
    await publishArtifact(fenced ? ownedWriter(fenced) : this.store, this.dirKey(name), KIND, files, meta, opts);
    if (fenced) await this.commitAndPrune(fenced, name, opts);
    else await this.pruneUnleased(step, opts);
    return { step, uri: `${this.store.uri}/${this.dirKey(name)}` };
  }

  /** Commits `name` in the lease (replacing another directory of the same step), keeps the newest `keep`. */
  private async commitAndPrune(fenced: FencedStore, name: string, opts: CallOptions): Promise<void> {
    const dirs = await this.scan(opts);
    // Checkpoints of the run from before it was leased count as committed until the first commit.
    const adopted = dirs.filter((d) => d.generation === 0 && d.complete).map((d) => d.name);
    let dropped: string[] = [];
    const kept = await fenced.lease.commit(
      this.base,
      (current) => {
        const list = [...(current ?? adopted).filter((n) => stepOf(n) !== stepOf(name)), name].sort(byStep);
        dropped = list.slice(0, Math.max(0, list.length - this.keep));
        return list.slice(-this.keep);
      },
      opts,
    );
    // Only objects no commit names any more, and this writer's own leftovers: never another
    // generation's uncommitted directory (it may still be written; it can never become visible).
    const own = fenced.lease.generation;
    const garbage = dirs.filter(
      (d) => !kept.includes(d.name) && (dropped.includes(d.name) || ((d.generation === own || d.generation === 0) && d.step < stepOf(name))),
    );
    for (const d of garbage) {
      // Manifest first: a reader racing with the prune sees "incomplete", never missing tensors.
      await fenced.deleteOwned(joinKey(this.dirKey(d.name), MANIFEST_NAME), opts);
      await fenced.deletePrefixOwned(this.dirKey(d.name) + '/', opts);
    }
  }

  /**
   * Without a lease: deletes complete checkpoints beyond the newest `keep`, and incomplete ones older
   * than `savedStep` (leftovers of crashed saves). Incomplete steps newer than `savedStep` are left alone.
   */
  private async pruneUnleased(savedStep: number, opts: CallOptions): Promise<void> {
    const dirs = (await this.scan(opts)).filter((d) => d.generation === 0);
    const kept = new Set(
      dirs
        .filter((d) => d.complete)
        .slice(-this.keep)
        .map((d) => d.name),
    );
    for (const d of dirs) {
      if (d.step < savedStep && !kept.has(d.name)) {
        await this.store.delete(joinKey(this.dirKey(d.name), MANIFEST_NAME), opts);
        await this.store.deletePrefix(this.dirKey(d.name) + '/', opts);
      }
    }
  }

  /** Every checkpoint directory under the prefix, ascending by step then generation. */
  private async scan(opts: CallOptions): Promise<StepDir[]> {
    const base = this.base ? `${this.base}/` : '';
    const dirs = new Map<string, StepDir>();
    for (const o of await this.store.list(base, opts)) {
      const rest = o.key.slice(base.length);
      const m = STEP_DIR_RE.exec(rest);
      if (!m) continue;
      const name = m[0].slice(0, -1);
      const d = dirs.get(name) ?? { name, step: Number(m[1]), generation: m[2] ? Number(m[2]) : 0, complete: false };
      if (rest.slice(m[0].length) === MANIFEST_NAME) d.complete = true;
      dirs.set(name, d);
    }
    return [...dirs.values()].sort((a, b) => a.step - b.step || a.generation - b.generation);
  }

  /**
   * The visible checkpoints, ascending by step: those the run's lease committed, or, for a run that
   * never committed any through a lease, every complete directory written without one.
   */
  private async visible(opts: CallOptions): Promise<StepDir[]> {
    const committed = isFencedStore(this.store) ? this.store.lease.committed(this.base) : (await readLeaseRecord(this.store, opts))?.committed[this.base];
    const complete = (await this.scan(opts)).filter((d) => d.complete);
    return committed ? complete.filter((d) => committed.includes(d.name)) : complete.filter((d) => d.generation === 0);
  }

  /** Steps of every visible checkpoint, ascending. Does not verify tensors. */
  async steps(opts: CallOptions = {}): Promise<number[]> {
    return (await this.visible(opts)).map((d) => d.step);
  }

  /**
   * The newest complete checkpoint, loaded and verified, or null when there is none. A checkpoint
   * whose manifest is missing, malformed, or whose tensors fail verification is skipped in favour
   * of the next older one (the reasons are in `skipped`, for logs).
   */
  async latest(opts: CallOptions & { skipped?: string[] } = {}): Promise<Checkpoint | null> {
    for (const d of (await this.visible(opts)).reverse()) {
      try {
        return await this.loadDir(d, opts);
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
    const d = (await this.visible(opts)).find((v) => v.step === step);
    if (!d) throw new DataError(`no complete checkpoint of step ${step} under ${this.store.uri}/${this.base}`, { code: 'NOT_FOUND' });
    return this.loadDir(d, opts);
  }

  private async loadDir({ name, step }: StepDir, opts: CallOptions): Promise<Checkpoint> {
    const prefix = this.dirKey(name);
    const where = `${this.store.uri}/${prefix}`;
    const manifest = await readArtifactManifest(this.store, prefix, KIND, opts);
    if (!manifest) throw new DataError(`no complete checkpoint at ${where} (manifest missing)`, { code: 'NOT_FOUND' });
    const parsed = metaSchema.safeParse(manifest.meta);
    if (!parsed.success) {
      throw new DataError(
        `corrupt checkpoint manifest ${where}/${MANIFEST_NAME}: ${parsed.error.issues.map((i) => `meta.${i.path.join('.')}: ${i.message}`).join('; ')}`,
        { code: 'CORRUPT_MANIFEST' },
      );
    }
    const meta = parsed.data;
    if (meta.step !== step) throw new DataError(`checkpoint manifest ${where}/${MANIFEST_NAME} says step ${meta.step}`, { code: 'CORRUPT_MANIFEST' });
    // Null prototype: a tensor named "__proto__" must stay an ordinary entry.
    const tensors: Record<string, TensorData> = Object.create(null) as Record<string, TensorData>;
    for (const t of meta.tensors) {
      const file = manifest.files.find((f) => f.path === t.file);
      const tw = `${where}/${t.file} (tensor '${t.name}')`;
      if (!file || file.sha256 !== t.sha256 || file.size !== t.byteLength)
        throw new DataError(`${tw}: tensor entry disagrees with the file list`, { code: 'CORRUPT_MANIFEST' });
      if (t.byteLength !== elementCount(t.shape) * 4)
        throw new DataError(`${tw}: byteLength ${t.byteLength} does not fit shape [${t.shape.join(', ')}]`, { code: 'CORRUPT_MANIFEST' });
      if (Object.prototype.hasOwnProperty.call(tensors, t.name)) throw new DataError(`${tw}: duplicate tensor name`, { code: 'CORRUPT_MANIFEST' });
      const bytes = await readArtifactFile(this.store, prefix, file, opts);
      tensors[t.name] = decodeTensor(tw, t.dtype as TensorDtype, t.shape, bytes);
    }
    return { step, uri: where, createdAt: manifest.createdAt, tensors, state: meta.state };
  }
}

/** The fenced store seen by publishArtifact: its writes go to this generation's own directory. */
function ownedWriter(fenced: FencedStore): ObjectStore {
  return Object.assign(Object.create(fenced) as ObjectStore, {
    put: fenced.putOwned.bind(fenced),
    delete: fenced.deleteOwned.bind(fenced),
  });
}
