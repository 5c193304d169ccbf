/** Public API of the storage layer: object stores addressed by URI, artifacts and checkpoints. */
export type { CallOptions, GetStreamOptions, ObjectInfo, ObjectStore, PutOptions, PutResult } from './object-store';
export { openStore, type OpenStoreOptions } from './open-store';
export { LocalStore } from './local-store';
export { S3Store, type S3StoreOptions } from './s3-store';
export { s3SettingsFromEnv, type S3Settings } from './s3-config';
export { parseStoreUri, formatStoreUri, joinKey, splitParent, type StoreLocation } from './uri';
export { withRetry, throwIfAborted, DEFAULT_RETRY, type RetryOptions } from '../async/retry';
export { sha256Hex } from './hash';
export { publishArtifact, readArtifactManifest, readArtifactFile, MANIFEST_NAME, type ArtifactManifest, type ArtifactFile } from './artifact';
export { CheckpointStore, type Checkpoint, type CheckpointData, type CheckpointStoreOptions, type TensorData, type TensorDtype } from './checkpoint-store';
export { RunLease, type RunLeaseOptions, type LeaseClock, type LeaseEvent } from './run-lease';
export { FencedStore, isFencedStore } from './fenced-store';
export { readLeaseRecord, describeLease, type LeaseRecord } from './lease-record';
export { LeaseHeldError, LeaseLostError, PreconditionFailedError } from './lease-errors';
export { claimRunInputs, RUN_INPUTS_KEY, type ClaimRunOptions, type ClaimRunResult } from './run-claim';
