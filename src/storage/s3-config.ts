/**
 * S3 client settings from the standard AWS environment and config files, plus one spnas toggle.
 * Never from workflow inputs: a study spec names only `s3://bucket/prefix` URIs, and each pod brings
 * its own endpoint and credentials (IRSA, env from a Secret, ~/.aws/config).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { InvalidInputError } from '../errors';

/** Resolved settings (no secrets: credentials stay inside the client). */
export interface S3Settings {
  /** AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL; undefined means AWS itself. */
  endpoint?: string;
  /** AWS_REGION / AWS_DEFAULT_REGION; undefined lets the SDK read ~/.aws/config (AWS_PROFILE). */
  region?: string;
  /** SPNAS_S3_FORCE_PATH_STYLE; defaults to true for non-AWS endpoints (MinIO, Ceph, gofakes3). */
  forcePathStyle: boolean;
  /** True when the endpoint is not an amazonaws.com host: checksums are then only sent when required. */
  nonAws: boolean;
}

/** Timeouts of the HTTP layer; a timeout surfaces as a TransientError and is retried. */
export interface S3TimeoutOptions {
  /** TCP connect timeout, ms. Default 5000. */
  connectionTimeoutMs?: number;
  /** Socket inactivity timeout per request, ms. Default 60000. */
  requestTimeoutMs?: number;
}

function parseBool(name: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new InvalidInputError(`${name}='${raw}' is not a boolean: use 1/true/yes or 0/false/no`);
}

/**
 * Reads settings from an environment (default process.env).
 * @throws InvalidInputError for a malformed endpoint URL or toggle.
 */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  let nonAws = false;
  if (endpoint) {
    let host: string;
    try {
      host = new URL(endpoint).hostname;
    } catch (err) {
      throw new InvalidInputError(`AWS_ENDPOINT_URL(_S3)='${endpoint}' is not a URL: use e.g. http://127.0.0.1:9000`, { cause: err });
    }
    nonAws = !/(^|\.)amazonaws\.com(\.cn)?$/.test(host);
  }
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || (nonAws ? 'us-east-1' : undefined);
  const forcePathStyle = parseBool('SPNAS_S3_FORCE_PATH_STYLE', env.SPNAS_S3_FORCE_PATH_STYLE) ?? nonAws;
  return { endpoint, region, forcePathStyle, nonAws };
}

/**
 * Builds an S3Client. Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN in `env` when set, otherwise from the SDK's default chain (profiles, SSO,
 * web identity, instance metadata). The SDK's own retries are off (maxAttempts 1): spnas retries
 * transient faults itself, typed, so that attempts do not multiply.
 */
export function createS3Client(env: NodeJS.ProcessEnv = process.env, timeouts: S3TimeoutOptions = {}): { client: S3Client; settings: S3Settings } {
  const settings = s3SettingsFromEnv(env);
  const keyId = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  const checksums = settings.nonAws && !env.AWS_REQUEST_CHECKSUM_CALCULATION ? 'WHEN_REQUIRED' : undefined;
  const validation = settings.nonAws && !env.AWS_RESPONSE_CHECKSUM_VALIDATION ? 'WHEN_REQUIRED' : undefined;
  const client = new S3Client({
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.region ? { region: settings.region } : {}),
    forcePathStyle: settings.forcePathStyle,
    ...(checksums ? { requestChecksumCalculation: checksums } : {}),
    ...(validation ? { responseChecksumValidation: validation } : {}),
    ...(keyId && secret
      ? { credentials: { accessKeyId: keyId, secretAccessKey: secret, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } }
      : {}),
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMs ?? 5000,
      requestTimeout: timeouts.requestTimeoutMs ?? 60000,
    },
  });
  return { client, settings };
}
