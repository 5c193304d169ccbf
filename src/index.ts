/**
 * `spnas`: the package's main entry. Only the pure, I/O-free core, so importing it loads no
 * TensorFlow, AWS or Temporal code: typed errors, search spaces and architectures, the latency model
 * (tables and the Single-Path NAS runtime formula), seeded randomness, and the HPO library (also
 * importable alone as `spnas/hpo`). The engine, storage and data layers are reached through the CLI
 * and the use cases.
 */
export * from './errors';
export * from './space';
export * from './random';
export { parseLatencyTable, parseLatencyTableFor, checkTableForSpace, type LatencyRow, type LatencyTable } from './latency/latency-table';
export { predictArchitectureLatency, predictArchitectureLatencyExact, totalRuntime, layerRuntime, type LayerIndicators } from './latency/runtime-model';
export { pixel1Table, PIXEL1_FIXED_MS } from './latency/pixel1-table';
export * as hpo from './hpo';
