/**
 * The study spec: everything a study needs, as one validated JSON document (what `spnas study run`
 * reads and what `temporal workflow start --input @study.json` passes to StudyWorkflow). Versioned;
 * docs/study-spec.schema.json is generated from this schema (`spnas study schema`).
 *
 * Units: lambda is the runtime term's whole factor in every place (spec, sampler, engine, status,
 * report; the reference code's 0.020 is 20 here). The latency target is a fraction of the largest
 * network's latency in the objective's unit (measured on the device, or predicted by the table), so
 * one spec fits any device.
 */
import { z } from 'zod';
import { dataSpecSchema } from '../config/data-spec';
import { dataPlanSpecSchema, selectionImagesFor } from './study-data';
import { TRAIN_RECIPE_NAMES, trainConfigForRecipe, withNamedRecipe } from '../config/recipes';
import { parseTrainConfig } from '../config/training-config';
import { formatIssues, parseOrThrow } from '../config/zod-issues';
import { InvalidInputError } from '../errors';
import { GP_MAX_TRIALS, samplerNames, samplerTraits } from '../hpo/sampler-catalog';
import { reservedKeys, reservedNameMessage } from '../hpo/space';
import { deviceCheckSchema } from '../latency/table-check';

export const STUDY_SPEC_VERSION = 1;

/** `hpo.sampler`: a name in the sampler catalog, checked when parsed (a registered sampler counts). */
const samplerNameSchema = z.string().refine((name) => samplerTraits(name) !== undefined, {
  error: (iss) => `unknown sampler ${JSON.stringify(iss.input)}; one of ${samplerNames().join(', ')}`,
});

const resourceSchema = z
  .object({
    cpu: z
      .string()
      .regex(/^\d+(\.\d+)?m?$/, 'a Kubernetes CPU quantity, e.g. "2" or "500m"')
      .default('2'),
    memory: z
      .string()
      .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'a Kubernetes memory quantity, e.g. "4Gi"')
      .default('4Gi'),
    gpu: z.number().int().min(0).default(0),
  })
  .strict();
const res = (cpu: string, memory: string) => resourceSchema.default({ cpu, memory, gpu: 0 });

/** A parameter of the NAS-hyperparameter space (as in src/hpo/space.ts), or null to remove it. */
const paramOverrideSchema = z.union([z.null(), z.record(z.string(), z.unknown())]);

export const studySpecSchema = z
  .object({
    /** Editors' schema reference (docs/study-spec.schema.json); ignored. */
    $schema: z.string().optional(),
    version: z.literal(STUDY_SPEC_VERSION).default(STUDY_SPEC_VERSION),
    /** Lower-case letters, digits and dashes: it names the workflow ids and the store prefix. */
    name: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$/, 'lower-case letters, digits and dashes, 1-48 characters, starting and ending with a letter or digit'),
    /** Root URI of every artifact (s3://bucket/prefix, file:///abs/dir or an absolute path): <storage>/studies/<name>/... */
    storage: z.string().regex(/^(s3:\/\/[^/]+|file:\/\/\/|\/)/, 'an s3:// or file:/// URI or an absolute path (workers may run elsewhere than the caller)'),
    /** A search-space preset name or a whole space spec. */
    space: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
    data: z
      .object({
        /**
         * The source of training data. With `plan`: `limit` is the number of source images the plan
         * covers (the first ones in source order). Without (the split form of spec versions before the
         * data plan): searches and retraining use its training split and trials are scored on its
         * `valCount` held-out images.
         */
        train: z
          .object({
            uri: z.string().min(1),
            limit: z.number().int().positive().optional(),
            valCount: z.number().int().positive().optional(),
            splitSeed: z.number().int().min(0).default(0),
          })
          .strict(),
        /**
         * One data plan for the whole study (src/study/study-data.ts): disjoint final test, selection,
         * trial-training and final-training images of one seeded permutation, made once and stored with it.
         */
        plan: dataPlanSpecSchema.optional(),
        /** A separate test set for the final evaluation of the selected models. */
        test: z
          .object({ uri: z.string().min(1), limit: z.number().int().positive().optional() })
          .strict()
          .optional(),
      })
      .strict(),
    /**
     * The latency table: this device's (`device`: from the table cache, profiled at the study's start when
     * none is cached), a URI, profiled as the study's first activity, or the one shipped for the space. A
     * URI's or the shipped table whose device fingerprint differs from this device's is checked against
     * whole networks measured here first (`deviceCheck`, docs/runtime-model.md "The table belongs to the device").
     */
    latencyTable: z
      .union([
        z.object({ uri: z.string().min(1), deviceCheck: deviceCheckSchema.optional() }).strict(),
        z.object({ profile: z.literal(true), repeats: z.number().int().positive().default(15), samples: z.number().int().min(0).default(10) }).strict(),
        z.object({ shipped: z.literal(true), deviceCheck: deviceCheckSchema.optional() }).strict(),
        z
          .object({
            device: z.literal(true),
            /** Timed rounds and checked networks when the table must be profiled (no cached one). */
            repeats: z.number().int().positive().default(15),
            samples: z.number().int().min(0).default(10),
            /** Profiles whose entry-wise median is the table (src/latency/median-table.ts). */
            profiles: z.number().int().min(1).max(9).default(3),
          })
          .strict(),
      ])
      .default({ shipped: true }),
    objectives: z
      .object({
        /** Trials' latency: measured on the evaluating worker, or predicted by the table. */
        latency: z.enum(['measured', 'predicted']).default('measured'),
        /**
         * Target as a fraction of the largest network's latency, in the objective's unit: with `measured`, of the
         * largest network measured on the device at the study's start; with `predicted`, of its table prediction.
         * Scalarises for single-objective samplers and picks "the" model. (A trial's search target is this
         * fraction of the table's largest network: the search's runtime term is in table units.)
         */
        latencyTargetFraction: z.number().gt(0).max(1.5).default(0.7),
        /**
         * Resolution the study needs: the 95% half-width, in percentage points, of a trial's top-1 (worst
         * case, at 50%). It sizes the data plan's selection split: z^2 / (4 h^2) images (2 pp: 2,401).
         */
        resolution: z.number().gt(0).lt(50).optional(),
      })
      .strict()
      .default({ latency: 'measured', latencyTargetFraction: 0.7 }),
    hpo: z
      .object({
        sampler: samplerNameSchema.default('gp'),
        seed: z.number().int().min(0).default(0),
        /** Trials to run (for multi-fidelity samplers: trials at any budget, promotions included). */
        trials: z.number().int().positive().max(10_000).default(8),
        parallelism: z.number().int().positive().max(256).default(2),
        /**
         * Samplers with an initial design (gp, parego): how many trials come from it before the model
         * proposes; unset, the sampler's default (max(4, parameters + 1)).
         */
        initialTrials: z.number().int().positive().max(GP_MAX_TRIALS).optional(),
        /** Overrides of the default NAS-hyperparameter space (src/hpo/nas-space.ts); null removes a parameter. */
        space: z.record(z.string(), paramOverrideSchema).default({}),
        /** Multi-fidelity: number of budget levels is log_eta(maxBudget) + 1; fidelity = budget / maxBudget. */
        maxBudget: z.number().int().positive().default(9),
        eta: z.number().int().min(2).default(3),
      })
      .strict()
      .default({ sampler: 'gp', seed: 0, trials: 8, parallelism: 2, space: {}, maxBudget: 9, eta: 3 }),
    budget: z
      .object({
        /** Search epochs of a trial at full fidelity, warm-up included. */
        searchEpochs: z.number().positive().default(8),
        /** Warm-up epochs when the HPO space does not tune `warmupFraction`. */
        warmupEpochs: z.number().int().min(0).default(4),
        /** Retraining epochs of a trial's architecture at full fidelity. */
        retrainEpochs: z.number().positive().default(10),
        batchSize: z.number().int().positive().default(64),
        /** Engine seed of every trial (weights, data order): equal across trials, so they differ only by their hyperparameters. */
        seed: z.number().int().min(0).default(0),
        /** Search config overrides applied to every trial (docs/engine.md), e.g. { optimizer: { lrPer256: 0.02 } }. */
        search: z.record(z.string(), z.unknown()).default({}),
        /**
         * Train config overrides of the trials' retraining; `recipe` names a recipe (src/config/recipes.ts)
         * they go on top of, whose batch size then wins over the study's (as for the final retraining).
         */
        retrain: z.record(z.string(), z.unknown()).default({}),
        /**
         * What a multi-fidelity promotion does with its network's retraining: 'continue' the lower rung's
         * run with more epochs (cheapest; needs a schedule that does not depend on the total epochs), or
         * 'restart' it from scratch at the promoted budget (any recipe, the 'fast' cosine one included;
         * the lower rungs' retraining is spent again). The search continues either way.
         */
        promotedRetraining: z.enum(['continue', 'restart']).default('continue'),
        final: z
          .object({
            /** Front members retrained with the final budget (the one selected at the latency target first, then by accuracy); 0 skips the final phase. */
            models: z.number().int().min(0).default(1),
            /**
             * Named retraining recipe of the final retraining (src/config/recipes.ts; 'fast': SGD, cosine,
             * batch 128, label smoothing, for short budgets); `config` overrides its fields. Without it (or with
             * a recipe that sets no batch size), the study's batch size (src/study/retrain-config.ts).
             */
            recipe: z.enum(TRAIN_RECIPE_NAMES as [string, ...string[]]).optional(),
            /** Train config of the final retraining, epochs included (on top of the recipe when one is named). */
            config: z.record(z.string(), z.unknown()).default({ epochs: 30 }),
            /** Data of the final retraining; default: the study's training data. */
            data: dataSpecSchema.optional(),
          })
          .strict()
          .default({ models: 1, config: { epochs: 30 } }),
      })
      .strict()
      .default({
        searchEpochs: 8,
        warmupEpochs: 4,
        retrainEpochs: 10,
        batchSize: 64,
        seed: 0,
        search: {},
        retrain: {},
        promotedRetraining: 'continue',
        final: { models: 1, config: { epochs: 30 } },
      }),
    /** Share one lambda-free warm-up between trials with equal warm-up inputs (docs/orchestration.md). */
    sharedWarmup: z.boolean().default(true),
    resources: z
      .object({
        /**
         * Where heavy activities run: in the compute worker's process ('local'), as one Kubernetes Job
         * each ('k8s-job'), or whatever the compute worker is configured for ('auto': SPNAS_EXECUTOR, else local).
         */
        executor: z.enum(['auto', 'local', 'k8s-job']).default('auto'),
        search: res('2', '6Gi'),
        retrain: res('2', '6Gi'),
        evaluate: res('1', '2Gi'),
        profile: res('1', '2Gi'),
      })
      .strict()
      .default({
        executor: 'auto',
        search: { cpu: '2', memory: '6Gi', gpu: 0 },
        retrain: { cpu: '2', memory: '6Gi', gpu: 0 },
        evaluate: { cpu: '1', memory: '2Gi', gpu: 0 },
        profile: { cpu: '1', memory: '2Gi', gpu: 0 },
      }),
    /** Task queue of the compute workers that run the heavy activities. */
    computeTaskQueue: z.string().min(1).default('spnas-compute'),
    /** Seconds without a heartbeat after which a heavy activity's worker counts as lost (and the activity is retried elsewhere). */
    heartbeatTimeoutSeconds: z.number().int().min(5).default(120),
    /** Continue-as-new after this many trials have finished in one run (history stays small). */
    trialsPerRun: z.number().int().positive().default(200),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.budget.warmupEpochs >= s.budget.searchEpochs) {
      ctx.addIssue({
        code: 'custom',
        path: ['budget', 'warmupEpochs'],
        message: `must be smaller than budget.searchEpochs (${s.budget.searchEpochs}): no search would happen after the warm-up`,
      });
    }
    if (s.hpo.parallelism > s.hpo.trials) {
      ctx.addIssue({ code: 'custom', path: ['hpo', 'parallelism'], message: `is larger than hpo.trials (${s.hpo.trials})` });
    }
    const traits = samplerTraits(s.hpo.sampler);
    if (traits?.maxTrials !== undefined && s.hpo.trials > traits.maxTrials) {
      ctx.addIssue({
        code: 'custom',
        path: ['hpo', 'trials'],
        message: `is more than the '${s.hpo.sampler}' sampler serves (${traits.maxTrials}: each proposal conditions on every trial); use fewer trials or a random or multi-fidelity sampler`,
      });
    }
    if (s.hpo.initialTrials !== undefined && traits && !traits.initialDesign) {
      const withDesign = samplerNames().filter((n) => samplerTraits(n)?.initialDesign);
      ctx.addIssue({
        code: 'custom',
        path: ['hpo', 'initialTrials'],
        message: `applies to samplers with an initial design (${withDesign.join(', ')}); the '${s.hpo.sampler}' sampler has none: remove it or choose one of those`,
      });
    }
    // Train configs are checked now, not when the final phase reaches them hours later.
    const checks: Array<[path: string[], check: () => unknown]> = [
      [
        ['budget', 'retrain'],
        () => {
          const c = parseTrainConfig(withNamedRecipe(s.budget.retrain), 'config');
          // A continued promotion runs on with more epochs: the schedule must not depend on the total.
          if (traits?.multiFidelity && s.budget.promotedRetraining === 'continue' && c.optimizer.schedule === 'cosine')
            throw new Error(
              `the '${s.hpo.sampler}' sampler promotes trials by continuing their retraining with more epochs, which a cosine schedule (it depends on the total epochs) cannot do: set budget.promotedRetraining to 'restart', or use the 'reference' recipe or an 'exponential' schedule`,
            );
        },
      ],
      [
        ['budget', 'final', 'config'],
        () =>
          s.budget.final.recipe
            ? trainConfigForRecipe(s.budget.final.recipe, s.budget.final.config, 'config')
            : parseTrainConfig(s.budget.final.config, 'config'),
      ],
    ];
    for (const [path, check] of checks) {
      try {
        check();
      } catch (err) {
        ctx.addIssue({ code: 'custom', path, message: (err as Error).message });
      }
    }
    // Workers resolve a relative path against their own working directory, wherever that is.
    const uris: Array<[string[], string | undefined]> = [
      [['data', 'train', 'uri'], s.data.train.uri],
      [['data', 'test', 'uri'], s.data.test?.uri],
      [['budget', 'final', 'data', 'uri'], s.budget.final.data?.uri],
      [['latencyTable', 'uri'], 'uri' in s.latencyTable ? s.latencyTable.uri : undefined],
    ];
    for (const [path, uri] of uris)
      if (uri !== undefined && !/^([a-z][a-z0-9+.-]*:\/\/|\/)/i.test(uri))
        ctx.addIssue({
          code: 'custom',
          path,
          message: `'${uri}' is relative: a worker would resolve it against its own working directory; give an absolute path or URI ('spnas study resolve <spec>' resolves a spec file's paths against its folder)`,
        });
    checkDataPlan(s, ctx);
    const forbidden = ['epochs', 'warmupEpochs', 'seed', 'batchSize'].filter((k) => k in s.budget.search);
    if (forbidden.length) ctx.addIssue({ code: 'custom', path: ['budget', 'search'], message: `set ${forbidden.join(', ')} through budget / hpo instead` });
  });

/** The data plan fits the source, sizes are stated once, and no legacy field contradicts it. */
function checkDataPlan(s: StudySpec, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const { train, plan } = s.data;
  const resolution = s.objectives.resolution;
  if (!plan) {
    if (train.valCount === undefined)
      issue(
        ['data', 'plan'],
        'is required (or, in the older split form, data.train.valCount): give { testImages, trialTrainImages } and objectives.resolution',
      );
    if (resolution !== undefined) issue(['objectives', 'resolution'], 'sizes the selection split of a data plan: give data.plan too');
    const fin = s.budget.final.data;
    if (fin && fin.uri === train.uri && (fin.limit !== train.limit || fin.valCount !== train.valCount || fin.splitSeed !== train.splitSeed))
      issue(
        ['budget', 'final', 'data'],
        `splits the trials' source ${train.uri} another way: the final model would be scored on images the trials trained or were selected on. Give data.plan instead (one permutation: test, selection, trial training and final training images disjoint), e.g. "plan": { "testImages": 5000, "trialTrainImages": 2500 } with data.train.limit ${fin.limit ?? 50000}, objectives.resolution and no budget.final.data`,
      );
    return;
  }
  if (train.valCount !== undefined)
    issue(
      ['data', 'train', 'valCount'],
      'is not used with data.plan (the selection split follows objectives.resolution or data.plan.selectionImages): remove it',
    );
  if (s.budget.final.data)
    issue(['budget', 'final', 'data'], "is not used with data.plan (the final retraining reads the plan's final training split): remove it");
  if (train.limit === undefined)
    issue(['data', 'train', 'limit'], 'is required with data.plan: the number of source images the plan covers (its first ones in source order)');
  if ((plan.selectionImages === undefined) === (resolution === undefined))
    issue(
      ['objectives', 'resolution'],
      plan.selectionImages === undefined
        ? 'is required with data.plan (it sizes the selection split), e.g. 2 for +-2 pp (2,401 images); or give data.plan.selectionImages'
        : 'and data.plan.selectionImages both size the selection split: give one',
    );
  if (train.limit === undefined) return;
  const selection = plan.selectionImages ?? (resolution !== undefined ? selectionImagesFor(resolution) : 0);
  const need = plan.testImages + selection + plan.trialTrainImages;
  if (need > train.limit) {
    const from = plan.selectionImages !== undefined ? 'data.plan.selectionImages' : `objectives.resolution ${resolution} pp`;
    issue(
      ['data', 'plan'],
      `the data cannot hold it: test ${plan.testImages} + selection ${selection} (${from}) + trial training ${plan.trialTrainImages} = ${need} images, more than the ${train.limit} of data.train.limit; lower them (a coarser resolution needs fewer selection images) or plan over more images`,
    );
  }
  if (plan.finalTrainImages !== undefined && plan.testImages + plan.finalTrainImages > train.limit)
    issue(['data', 'plan', 'finalTrainImages'], `is more than the ${train.limit - plan.testImages} images outside the test split`);
  if (plan.trialTrainImages < s.budget.batchSize)
    issue(['data', 'plan', 'trialTrainImages'], `is fewer than a batch (budget.batchSize ${s.budget.batchSize}): no training step would run`);
}

export type StudySpec = z.output<typeof studySpecSchema>;
export type StudySpecInput = z.input<typeof studySpecSchema>;

/** Validates a spec; every problem is reported with its field path (InvalidInputError). */
export function parseStudySpec(value: unknown, source = 'study spec'): StudySpec {
  // zod's records drop a `__proto__` key silently: refuse reserved parameter names before they vanish.
  const hpo = typeof value === 'object' && value !== null ? (value as { hpo?: { space?: unknown } }).hpo : undefined;
  const reserved = reservedKeys(typeof hpo === 'object' && hpo !== null ? hpo.space : undefined);
  if (reserved.length > 0)
    throw new InvalidInputError(`invalid ${source}:\n${formatIssues(reserved.map((k) => ({ path: ['hpo', 'space', k], message: reservedNameMessage(k) })))}`);
  return parseOrThrow(studySpecSchema, value, source);
}

/** The JSON Schema of the spec (docs/study-spec.schema.json, `spnas study schema`); `hpo.sampler` lists the catalog's names. */
export function studySpecJsonSchema(): unknown {
  return z.toJSONSchema(studySpecSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema === samplerNameSchema) ctx.jsonSchema.enum = samplerNames();
    },
  });
}
