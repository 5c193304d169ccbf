/**
 * Every sampler spnas knows, by name: one line per built-in sampler (its module exports the
 * descriptor), plus any registered at run time. Snapshot validation and restore (snapshot.ts,
 * restore.ts), the study's sampler factory and, through sampler-catalog.ts, the study spec's sampler
 * list all enumerate this. Importing it loads every sampler's code, so workflow code must not (it reads
 * sampler-catalog.ts instead).
 */
import { ashaSampler } from './asha';
import { bohbSampler } from './bohb';
import { gpSampler } from './gp-sampler';
import { hyperbandSampler } from './hyperband';
import { paregoSampler } from './parego';
import { randomSampler, sobolSampler } from './random-sampler';
import { addSamplerTraits, samplerTraits, type BuiltInSamplerName } from './sampler-catalog';
import type { SamplerDescriptor } from './sampler-descriptor';

// Keyed by the catalog's names: a built-in sampler without a descriptor here does not compile.
const BUILT_IN: { readonly [N in BuiltInSamplerName]: SamplerDescriptor } = {
  random: randomSampler,
  sobol: sobolSampler,
  gp: gpSampler,
  parego: paregoSampler,
  hyperband: hyperbandSampler,
  asha: ashaSampler,
  bohb: bohbSampler,
};

const byName = new Map<string, SamplerDescriptor>();

function add(d: SamplerDescriptor): void {
  const traits = samplerTraits(d.name);
  if (
    !traits ||
    traits.multiFidelity !== d.multiFidelity ||
    traits.vectorObjective !== d.vectorObjective ||
    traits.maxTrials !== d.maxTrials ||
    !!traits.initialDesign !== !!d.initialDesign
  )
    throw new Error(`sampler '${d.name}': its descriptor's traits differ from the catalog's (src/hpo/sampler-catalog.ts)`);
  byName.set(d.name, d);
}

for (const [name, d] of Object.entries(BUILT_IN)) {
  if (d.name !== name) throw new Error(`registry: '${name}' maps to the descriptor of '${d.name}'`);
  add(d);
}

/**
 * Adds a sampler at run time (a library user's own, or a test's): it can then be named by a study
 * spec, snapshotted and restored like a built-in one. A name already taken is refused. A sampler that
 * a study *workflow* should run must be built in (a line in sampler-catalog.ts and one here): the
 * workflow's bundle sees only the catalog it was built with.
 */
export function registerSampler(d: SamplerDescriptor): void {
  if (byName.has(d.name) || samplerTraits(d.name)) throw new Error(`registerSampler: a sampler named '${d.name}' exists already`);
  if (d.kind !== d.name && !byName.has(d.kind)) throw new Error(`registerSampler: '${d.name}' writes snapshots of kind '${d.kind}', which no sampler restores`);
  addSamplerTraits(d.name, d);
  add(d);
}

/** The descriptor of a sampler name, or undefined. */
export function samplerDescriptor(name: string): SamplerDescriptor | undefined {
  return byName.get(name);
}

/** The snapshot kinds that can be restored: the names of descriptors that are not a variant of another. */
export function snapshotKinds(): string[] {
  return [...byName.values()].filter((d) => d.kind === d.name).map((d) => d.name);
}
