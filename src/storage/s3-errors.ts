/** Translates AWS SDK and socket errors into spnas's typed errors, keeping the original as `cause`. */
import { CancelledError, DataError, InvalidInputError, SpnasError, TransientError } from '../errors';
import { PreconditionFailedError } from './lease-errors';

/** What was being done, for messages that name the bucket and object. */
export interface S3ErrorContext {
  op: string;
  bucket: string;
  key?: string;
  /** The endpoint URL, or undefined for AWS. */
  endpoint?: string;
}

const TRANSIENT_SOCKET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeoutException',
]);
const CREDENTIAL_NAMES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AllAccessDisabled',
]);

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  errors?: unknown[];
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

/** The Node socket error code, looking inside AggregateError (happy-eyeballs connects to several addresses). */
function socketCode(e: SdkLikeError): string | undefined {
  if (typeof e.code === 'string') return e.code;
  const inner = e.errors?.[0] as SdkLikeError | undefined;
  return typeof inner?.code === 'string' ? inner.code : undefined;
}

/** Maps any error thrown by an S3 call. Already-typed SpnasErrors pass through unchanged. */
export function mapS3Error(err: unknown, ctx: S3ErrorContext): SpnasError {
  if (err instanceof SpnasError) return err;
  const e = (err ?? {}) as SdkLikeError;
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const where = `s3://${ctx.bucket}${ctx.key ? '/' + ctx.key : ''}`;
  const at = ctx.endpoint ? ` at ${ctx.endpoint}` : '';
  const what = `S3 ${ctx.op} ${where}${at}`;
  const sock = socketCode(e);

  if (name === 'AbortError') return new CancelledError(`${what}: cancelled`, { cause: err });
  if (name === 'CredentialsProviderError') {
    return new InvalidInputError(`${what}: no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE / a web identity)`, {
      code: 'S3_NO_CREDENTIALS',
      cause: err,
    });
  }
  if (CREDENTIAL_NAMES.has(name) || status === 403) {
    return new InvalidInputError(
      `${what}: access denied (${name || 'HTTP 403'}) for bucket '${ctx.bucket}': check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (or AWS_PROFILE), and that these credentials may access the bucket`,
      { code: 'S3_ACCESS_DENIED', cause: err },
    );
  }
  if (name === 'NoSuchBucket') {
    return new InvalidInputError(`${what}: bucket '${ctx.bucket}' does not exist${at}: check the URI and AWS_ENDPOINT_URL_S3 / AWS_REGION`, {
      code: 'S3_NO_SUCH_BUCKET',
      cause: err,
    });
  }
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new DataError(`object not found: ${where}${at}`, { code: 'NOT_FOUND', cause: err });
  }
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301) {
    return new InvalidInputError(`${what}: bucket '${ctx.bucket}' is in another region: set AWS_REGION to the bucket's region`, {
      code: 'S3_WRONG_REGION',
      cause: err,
    });
  }
  // A conditional write lost (412), or raced another conditional write to the same key (409).
  if (ctx.op === 'PutObject' && (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || status === 412 || status === 409)) {
    return new PreconditionFailedError(`${what}: precondition failed (${name || `HTTP ${status}`}): the object was created or changed by another writer`, {
      cause: err,
    });
  }
  if (name === 'PreconditionFailed' || status === 412) {
    return new DataError(`${what}: the object changed while it was being read`, { code: 'S3_OBJECT_CHANGED', cause: err });
  }
  if (name === 'NotImplemented' || status === 501) {
    return new SpnasError('S3_NOT_IMPLEMENTED', `${what}: the server does not implement this request (${name || 'HTTP 501'})`, { cause: err });
  }
  if ((sock && TRANSIENT_SOCKET.has(sock)) || TRANSIENT_NAMES.has(name) || (status !== undefined && (status >= 500 || status === 429))) {
    return new TransientError(`${what} failed transiently: ${sock ?? name ?? ''}${status ? ` (HTTP ${status})` : ''}`.trim(), {
      code: 'S3_TRANSIENT',
      cause: err,
    });
  }
  if (/Region is missing/i.test(e.message ?? '')) {
    return new InvalidInputError(`${what}: no AWS region configured: set AWS_REGION`, { code: 'S3_NO_REGION', cause: err });
  }
  return new SpnasError('S3_ERROR', `${what} failed: ${name}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(err)}`, { cause: err });
}
