/**
 * What the browser profiling page and `spnas profile --target browser` say to each other over HTTP.
 *
 *   GET  /config.json                       ProfileConfig (space, options, backend preference)
 *   POST /api/<session>/progress            ProfileProgress from the page
 *   POST /api/<session>/measurement         BrowserMeasurement: every timed sample, raw
 *   POST /api/<session>/failure             { message } when the page cannot finish
 *
 * The session token is in the page's URL only: another page in the same browser cannot post a table.
 * The page posts raw samples rather than a finished table so the command summarises them with the
 * same code and the same --stat as a Node profile; everything posted is validated here first.
 */
import { z } from 'zod';
import { parseOrThrow } from '../config/zod-issues';
import { architectureFromString, CANDIDATES } from '../space/architecture';
import { layoutOf } from '../space/layers';
import type { SearchSpace } from '../space/spec';
import { InvalidInputError } from '../errors';
import type { ProfileMeasurement } from '../profiler/profile-measure';

import { BROWSER_BACKENDS, type BackendPreference } from './backends';

export interface ProfileConfig {
  /** The parsed search space (SearchSpace JSON). */
  space: unknown;
  repeats: number;
  warmup: number;
  samples: number;
  seed: number;
  backend: BackendPreference;
}

const index = z.number().int().nonnegative();
const candidateIdx = z.object(Object.fromEntries(CANDIDATES.map((c) => [c, index])) as Record<(typeof CANDIDATES)[number], typeof index>).strict();

export const browserMeasurementSchema = z
  .object({
    /** The backend the page ran on, and how (binary, threads, GPU renderer). */
    backend: z.enum(BROWSER_BACKENDS),
    backendDetail: z.string().max(500),
    threads: z.number().int().positive(),
    userAgent: z.string().max(1000),
    /** navigator.hardwareConcurrency (0 when the browser hides it). */
    cores: z.number().int().nonnegative(),
    samples: z.array(z.array(z.number().nonnegative().finite())).min(1),
    front: index,
    frontOverhead: index,
    back: index,
    logitsOverhead: index,
    layers: z.array(z.object({ plain: candidateIdx, se: candidateIdx.optional(), overhead: index }).strict()),
    /** Sampled architectures as architectureToString, and their whole-network model index. */
    archs: z.array(z.object({ arch: z.string().max(2000), model: index }).strict()),
    repeats: z.number().int().positive(),
    warmup: z.number().int().nonnegative(),
    seconds: z.number().nonnegative().finite(),
  })
  .strict();
export type BrowserMeasurement = z.output<typeof browserMeasurementSchema>;

/**
 * Validates a posted measurement against the space it was asked for and turns it into the profiler's
 * ProfileMeasurement. Throws InvalidInputError naming what is wrong.
 */
export function parseBrowserMeasurement(
  value: unknown,
  space: SearchSpace,
  expect: { repeats: number; samples: number },
): { m: ProfileMeasurement; posted: BrowserMeasurement } {
  const posted = parseOrThrow(browserMeasurementSchema, value, 'browser measurement');
  const problems: string[] = [];
  const n = posted.samples.length;
  const indices = [posted.front, posted.frontOverhead, posted.back, posted.logitsOverhead, ...posted.archs.map((a) => a.model)];
  for (const l of posted.layers) indices.push(...Object.values(l.plain), ...Object.values(l.se ?? {}), l.overhead);
  if (indices.some((i) => i >= n)) problems.push(`a model index is out of range (${n} models timed)`);
  if (posted.samples.some((s) => s.length !== posted.repeats)) problems.push(`every model needs ${posted.repeats} samples`);
  if (posted.repeats !== expect.repeats) problems.push(`${posted.repeats} rounds timed, ${expect.repeats} asked for`);
  if (posted.archs.length !== expect.samples) problems.push(`${posted.archs.length} architectures checked, ${expect.samples} asked for`);
  const searchable = layoutOf(space).searchable.length;
  if (posted.layers.length !== searchable) problems.push(`${posted.layers.length} layers, but space '${space.name}' has ${searchable}`);
  if (posted.layers.some((l) => Boolean(l.se) !== space.search.se))
    problems.push(`SE timings ${space.search.se ? 'missing' : 'present'} for space '${space.name}'`);
  if (problems.length) throw new InvalidInputError(`browser measurement does not fit the profile that was asked for:\n  - ${problems.join('\n  - ')}`);
  const archs = posted.archs.map((a) => ({ arch: architectureFromString(space, a.arch), model: a.model }));
  const m: ProfileMeasurement = {
    space,
    backend: posted.backend,
    threads: posted.threads,
    samples: posted.samples,
    front: posted.front,
    frontOverhead: posted.frontOverhead,
    back: posted.back,
    logitsOverhead: posted.logitsOverhead,
    layers: posted.layers,
    archs,
    repeats: posted.repeats,
    warmup: posted.warmup,
    seconds: posted.seconds,
  };
  return { m, posted };
}

/** A short browser name from a user-agent string: 'Chrome 156', 'Firefox 140', 'Safari 18', else the UA. */
export function browserName(userAgent: string): string {
  const pick = (re: RegExp, name: string) => {
    const v = re.exec(userAgent)?.[1];
    return v ? `${name} ${v}` : undefined;
  };
  return (
    pick(/Edg\/(\d+)/, 'Edge') ??
    pick(/HeadlessChrome\/(\d+)/, 'Headless Chrome') ??
    pick(/Chrome\/(\d+)/, 'Chrome') ??
    pick(/Firefox\/(\d+)/, 'Firefox') ??
    pick(/Version\/(\d+)[^ ]* .*Safari/, 'Safari') ??
    userAgent.slice(0, 80)
  );
}

/** The labels a browser table records: device = browser, OS, cores and backend; meta.backend = the backend in detail. */
export function browserTableLabels(posted: BrowserMeasurement): { device: string; backendLabel: string; host: string } {
  const os =
    /\(([^)]*)\)/
      .exec(posted.userAgent)?.[1]
      ?.split(';')
      .map((s) => s.trim())
      .filter(Boolean)
      .slice(0, 2)
      .join(', ') ?? 'unknown OS';
  const cores = posted.cores ? `, ${posted.cores} cores` : '';
  return {
    device: `tfjs ${posted.backend} in ${browserName(posted.userAgent)} (${os}${cores})`,
    backendLabel: `tfjs ${posted.backend} (browser: ${posted.backendDetail})`,
    host: posted.userAgent,
  };
}
