/**
 * One rule for what an activity Job gets: the install defines the Job classes, the study says what
 * each activity needs, within them. Pure.
 *
 *   install (chart)  a CPU template and, optionally, a GPU template: image, node pool, tolerations,
 *                    and limits, which are ceilings (the GPU template's limit on its GPU resource is
 *                    the most GPUs one Job may take)
 *   study spec       per activity: cpu, memory, gpu (resources.search / retrain / evaluate / profile)
 *
 * gpu 0 runs on the CPU class, gpu > 0 on the GPU class (its image: never the CPU image holding a
 * GPU). The Job requests the study's cpu and memory, its memory limit is the study's memory (what
 * the study asks for is what it gets, and an OOMKilled names the study's value), its CPU limit the
 * study's cpu when the class limits CPU at all. A request above a ceiling, or a GPU on an install
 * without a GPU class, is a non-retryable error naming the study's field and the install's setting,
 * raised before a Job exists.
 */
import type { V1Job } from '@kubernetes/client-node';
import { InvalidInputError } from '../errors';
import { MAIN_CONTAINER } from './job-template';
import { parseQuantity } from './quantity';

export interface JobClasses {
  cpu: V1Job;
  /** Absent: this install runs no GPU Jobs. */
  gpu?: V1Job;
}

/** What the study asks for one activity (its spec's resources.<kind>). */
export interface ActivityResources {
  cpu: string;
  memory: string;
  gpu: number;
}

export interface JobPlan {
  template: V1Job;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  gpu?: { count: number; resource: string };
}

const DEFAULT_GPU_RESOURCE = 'nvidia.com/gpu';
/** Limits that are not an accelerator. */
const NOT_GPU = /^(cpu|memory|ephemeral-storage|hugepages-.*)$/;

function mainContainer(t: V1Job) {
  const cs = t.spec?.template?.spec?.containers ?? [];
  return cs.find((c) => c.name === MAIN_CONTAINER) ?? cs[0];
}

/** The GPU resource a GPU template limits (e.g. nvidia.com/gpu, nvidia.com/mig-1g.10gb) and its ceiling. */
export function gpuLimitOf(t: V1Job): { resource: string; max?: number } {
  const limits = mainContainer(t)?.resources?.limits ?? {};
  const key = Object.keys(limits).find((k) => !NOT_GPU.test(k));
  return key ? { resource: key, max: parseQuantity(limits[key]!, `the GPU Job template's limits.${key}`) } : { resource: DEFAULT_GPU_RESOURCE };
}

/**
 * The template and resources of one activity's Job. `field` names the study's setting in errors
 * (e.g. "resources.search (searchArchitecture)"); `settings` names the install's (the chart values).
 * @throws InvalidInputError (K8S_NO_GPU_CLASS, K8S_OVER_LIMIT) before anything is created.
 */
export function planActivityJob(field: string, want: ActivityResources, classes: JobClasses): JobPlan {
  const gpus = want.gpu;
  if (gpus > 0 && !classes.gpu) {
    throw new InvalidInputError(
      `${field}.gpu asks for ${gpus} GPU(s), but this install has no GPU Jobs (no GPU Job template: SPNAS_JOB_GPU_TEMPLATE / SPNAS_JOB_GPU_IMAGE unset), so the Job would run the CPU image holding a GPU; install the chart with jobs.gpu.maxPerJob >= ${gpus} (and the GPU image, image.gpuTag), or set ${field}.gpu to 0`,
      { code: 'K8S_NO_GPU_CLASS' },
    );
  }
  const template = gpus > 0 ? classes.gpu! : classes.cpu;
  const cls = gpus > 0 ? 'GPU' : 'CPU';
  const ceiling = mainContainer(template)?.resources?.limits ?? {};
  const over = (key: 'cpu' | 'memory', value: string) => {
    const max = ceiling[key];
    if (max !== undefined && parseQuantity(value, `${field}.${key}`) > parseQuantity(max, `the ${cls} Job template's limits.${key}`)) {
      throw new InvalidInputError(
        `${field}.${key} asks for ${value}, above the most one ${cls} Job may have on this install (${max}: the chart's ${gpus > 0 ? 'jobs.gpu.resources.limits' : 'jobs.resources.limits'}.${key}); lower ${field}.${key} or raise that limit`,
        { code: 'K8S_OVER_LIMIT' },
      );
    }
  };
  over('cpu', want.cpu);
  over('memory', want.memory);
  const limits: Record<string, string> = { memory: want.memory, ...(ceiling.cpu !== undefined ? { cpu: want.cpu } : {}) };
  const plan: JobPlan = { template, resources: { requests: { cpu: want.cpu, memory: want.memory }, limits } };
  if (gpus > 0) {
    const { resource, max } = gpuLimitOf(template);
    if (max !== undefined && gpus > max) {
      throw new InvalidInputError(
        `${field}.gpu asks for ${gpus} GPUs, above the most one Job may take on this install (${max} ${resource}: the chart's jobs.gpu.maxPerJob); lower ${field}.gpu or raise jobs.gpu.maxPerJob`,
        { code: 'K8S_OVER_LIMIT' },
      );
    }
    plan.gpu = { count: gpus, resource };
  }
  return plan;
}

/** A copy of `t` whose main container runs `image`. */
export function withImage(t: V1Job, image: string): V1Job {
  const copy = structuredClone(t);
  mainContainer(copy)!.image = image;
  return copy;
}
