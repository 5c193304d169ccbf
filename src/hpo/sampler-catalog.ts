/**
 * The samplers a study can name, and the facts about each that a study's spec and workflow need. No
 * algorithm is imported here on purpose: the study workflow's bundle imports this module (through
 * src/study/spec.ts and src/study/sampler-traits.ts), and the samplers' GP, L-BFGS and Sobol code runs
 * in the proposal activity only. registry.ts maps each name to its implementation (a descriptor); its
 * type is keyed by {@link BUILT_IN_SAMPLERS}, so a name without an implementation does not compile.
 */

export interface SamplerTraits {
  /** Trials carry a budget, and a configuration is promoted by continuing its run with more epochs. */
  readonly multiFidelity: boolean;
  /** Trials report a vector of objectives ([top-1, latency] in a study) instead of one scalar. */
  readonly vectorObjective: boolean;
  /** The most trials one sampler serves, when its cost grows with them (a GP conditions on every trial). */
  readonly maxTrials?: number;
  /** Its first trials come from a space-filling design and the model proposes the rest: a study may set how many. */
  readonly initialDesign?: boolean;
}

/**
 * Trials a GP-based sampler (GP-BO, ParEGO) takes: each proposal factorises an n x n kernel matrix and
 * scores candidates at O(n^2), about 12 s of CPU at 2,000 trials on this project's 2-core machine and
 * minutes beyond (docs/hpo.md "Limits").
 */
export const GP_MAX_TRIALS = 2000;

/** Built-in samplers, in the order the spec's schema lists them. */
export const BUILT_IN_SAMPLERS = {
  random: { multiFidelity: false, vectorObjective: false },
  sobol: { multiFidelity: false, vectorObjective: false },
  gp: { multiFidelity: false, vectorObjective: false, maxTrials: GP_MAX_TRIALS, initialDesign: true },
  parego: { multiFidelity: false, vectorObjective: true, maxTrials: GP_MAX_TRIALS, initialDesign: true },
  hyperband: { multiFidelity: true, vectorObjective: false },
  asha: { multiFidelity: true, vectorObjective: false },
  bohb: { multiFidelity: true, vectorObjective: false },
} as const satisfies Record<string, SamplerTraits>;

export type BuiltInSamplerName = keyof typeof BUILT_IN_SAMPLERS;

// Samplers registered at run time (registry.ts registerSampler): a library user's own, or a test's.
const added = new Map<string, SamplerTraits>();
let revision = 0;

/** Every sampler name, built-in first, then the registered ones in registration order. */
export function samplerNames(): string[] {
  return [...Object.keys(BUILT_IN_SAMPLERS), ...added.keys()];
}

/** The traits of a sampler, or undefined for a name no sampler has. */
export function samplerTraits(name: string): SamplerTraits | undefined {
  return Object.hasOwn(BUILT_IN_SAMPLERS, name) ? BUILT_IN_SAMPLERS[name as BuiltInSamplerName] : added.get(name);
}

/** Adds a sampler's name and traits (registry.ts does, when a descriptor is registered). */
export function addSamplerTraits(name: string, traits: SamplerTraits): void {
  if (samplerTraits(name)) throw new Error(`sampler '${name}' is already in the catalog`);
  added.set(name, {
    multiFidelity: traits.multiFidelity,
    vectorObjective: traits.vectorObjective,
    ...(traits.maxTrials ? { maxTrials: traits.maxTrials } : {}),
    ...(traits.initialDesign ? { initialDesign: true } : {}),
  });
  revision++;
}

/** Changes whenever a sampler is added, so schemas built from the names can be rebuilt. */
export function catalogRevision(): number {
  return revision;
}
