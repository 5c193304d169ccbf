/** Seeded randomness for every layer of spnas: pure, no I/O, no clock, no Math.random. */
export { hashSeed, stepSeed, initSeed } from './seed-hash';
export { mulberry32, Rng, rngFor, shuffleInPlace, permutation } from './mulberry32';
export { Prng, type PrngState } from './xoshiro128';
