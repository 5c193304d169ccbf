/**
 * Use case: check a study spec before anything starts (`spnas study validate`), and report every
 * problem at once: the schema, the search space, the NAS-hyperparameter space and a first trial's
 * engine configs, each data set (exists, readable, its first image decodes, enough images for the
 * held-out split and a batch, labels within the space's classes), the latency table (loadable and
 * matching the space), the storage (writable, not holding a completed study of this name). What the
 * workflow's first activity would refuse an hour into a queue, refused here in seconds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSearchConfig, parseTrainConfig } from '../config/training-config';
import { decodeSample } from '../data/dataset';
import { openSampleSource } from '../data/source';
import { defaultTableFor } from '../latency/default-tables';
import { checkTableForSpace, parseLatencyTable } from '../latency/latency-table';
import { predictArchitectureLatencyExact } from '../latency/runtime-model';
import { largestArchitecture } from '../space/architecture';
import type { SearchSpace } from '../space/spec';
import { studyLayout } from '../study/names';
import { studyRetrainConfig } from '../study/retrain-config';
import { createSampler } from '../study/sampler-factory';
import { parseStudySpec, type StudySpec } from '../study/spec';
import { planTrial } from '../study/trial-plan';
import { readJsonUri, resolveSpaceRef } from './inputs';
import { completedStudy } from './prepare-study';

export interface StudyCheck {
  /** Everything that would make the study fail; empty when it can start. */
  problems: string[];
  /** What was checked and found (image counts, the table's largest network, the target). */
  facts: string[];
  /** The validated spec, when the schema accepts it. */
  spec?: StudySpec;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Runs `check`, adding its error (if any) to `problems` under `what`. */
async function attempt<T>(problems: string[], what: string, check: () => Promise<T> | T): Promise<T | undefined> {
  try {
    return await check();
  } catch (err) {
    problems.push(`${what}: ${message(err)}`);
    return undefined;
  }
}

interface DataUse {
  field: string;
  uri: string;
  limit?: number;
  valCount?: number;
  /** The largest batch size trained on this data's training split. */
  batchSize: number;
}

/** Counts the samples (up to the limit) without decoding them, decodes the first, checks labels and sizes. */
async function checkData(d: DataUse, space: SearchSpace | undefined, problems: string[], facts: string[]): Promise<void> {
  await attempt(problems, `${d.field} ${d.uri}`, async () => {
    const source = await openSampleSource(d.uri);
    const limit = d.limit ?? Infinity;
    let count = 0;
    let maxLabel = -1;
    for await (const s of source.samples()) {
      if (count === 0) decodeSample(s, source.channels); // a readable image, not just bytes
      maxLabel = Math.max(maxLabel, s.label);
      if (++count >= limit) break;
    }
    if (count === 0) throw new Error('holds no samples');
    const classes = source.numClasses ?? maxLabel + 1;
    const train = count - (d.valCount ?? 0);
    facts.push(
      `${d.field}: ${count} images${d.limit !== undefined && count < d.limit ? ` (fewer than its limit ${d.limit})` : ''}, ${classes} classes${d.valCount !== undefined ? `; ${train} for training, ${d.valCount} held out` : ''}`,
    );
    if (space && classes > space.numClasses) throw new Error(`has ${classes} classes but space '${space.name}' has ${space.numClasses}`);
    if (d.valCount !== undefined && train < d.batchSize)
      throw new Error(
        `${count} images leave ${train} for training after the ${d.valCount} held out, fewer than a batch of ${d.batchSize}: give it more images (limit) or lower valCount / the batch size`,
      );
  });
}

/** Local storage: the folder exists and is writable, or can be created under a writable ancestor. */
function checkLocalStorage(storage: string): void {
  const dir = storage.startsWith('file://') ? new URL(storage).pathname : storage;
  let p = path.resolve(dir);
  while (!fs.existsSync(p)) p = path.dirname(p);
  if (!fs.statSync(p).isDirectory()) throw new Error(`${p} is not a folder`);
  fs.accessSync(p, fs.constants.W_OK);
}

export async function validateStudy(raw: unknown): Promise<StudyCheck> {
  const problems: string[] = [];
  const facts: string[] = [];
  const spec = await attempt(problems, 'schema', () => parseStudySpec(raw));
  if (!spec) return { problems, facts };

  const space = await attempt(problems, 'space', () => resolveSpaceRef(spec.space, 'space'));
  await attempt(problems, 'hpo (the NAS-hyperparameter space and a first trial)', () => {
    const trial = createSampler(spec).ask();
    const plan = planTrial(spec, trial.params, 1, 1);
    parseSearchConfig(plan.search, 'budget.search with a first trial');
    parseTrainConfig(plan.retrain, 'budget.retrain');
  });

  const studyBatch = spec.budget.batchSize;
  const retrainBatch = studyRetrainConfig(spec.budget.retrain, studyBatch).batchSize ?? studyBatch;
  const finalBatch = studyRetrainConfig({ recipe: spec.budget.final.recipe, ...spec.budget.final.config }, studyBatch).batchSize ?? studyBatch;
  const train = spec.data.train;
  const uses: DataUse[] = [{ field: 'data.train', ...train, batchSize: Math.max(studyBatch, retrainBatch, spec.budget.final.data ? 0 : finalBatch) }];
  if (spec.data.test) uses.push({ field: 'data.test', ...spec.data.test, batchSize: 1 });
  if (spec.budget.final.data) uses.push({ field: 'budget.final.data', ...spec.budget.final.data, batchSize: finalBatch });
  for (const d of uses) await checkData(d, space, problems, facts);

  if (space) {
    const lt = spec.latencyTable;
    const table = await attempt(problems, 'latencyTable', async () => {
      if ('profile' in lt) return undefined;
      if ('shipped' in lt) return defaultTableFor(space);
      const where = `latencyTable.uri ${lt.uri}`;
      return checkTableForSpace(parseLatencyTable(await readJsonUri(lt.uri, 'latency table'), where), space, where);
    });
    if ('profile' in lt) facts.push('latencyTable: profiled by the study first (its compute worker measures it)');
    else if (table) {
      const largest = predictArchitectureLatencyExact(table, largestArchitecture(space));
      facts.push(
        `latencyTable: largest network ${largest.toFixed(2)} ms predicted; target ${(spec.objectives.latencyTargetFraction * largest).toFixed(2)} ms (${spec.objectives.latencyTargetFraction} of it)`,
      );
    }
  }

  const root = studyLayout.root(spec.storage, spec.name);
  await attempt(problems, `storage ${spec.storage}`, async () => {
    if (!spec.storage.startsWith('s3://')) checkLocalStorage(spec.storage);
    const done = await completedStudy(root);
    if (done)
      throw new Error(`holds a completed study '${spec.name}' (${studyLayout.summary(root)}); give the spec another name, or delete ${root} to run it again`);
  });
  facts.push(`artifacts: ${root}`);
  return { problems, facts, spec };
}
