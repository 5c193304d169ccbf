/**
 * Temporal connection settings by Temporal's own conventions (@temporalio/envconfig): TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_CLIENT_CERT_PATH / _KEY_PATH / _SERVER_CA_CERT_PATH,
 * or a profile (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE). Nothing here is logged: the settings may hold
 * an API key.
 */
import { Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { TransientError } from '../errors';

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** Options for Connection.connect / NativeConnection.connect (TLS, API key, metadata). */
  connectionOptions: Parameters<typeof NativeConnection.connect>[0];
}

/** Settings from the environment (and profile), with `address` / `namespace` overrides for the embedded server. */
export function temporalTarget(overrides: { address?: string; namespace?: string } = {}): TemporalTarget {
  const cfg = loadClientConnectConfig();
  const address = overrides.address ?? cfg.connectionOptions.address ?? 'localhost:7233';
  return { address, namespace: overrides.namespace ?? cfg.namespace ?? 'default', connectionOptions: { ...cfg.connectionOptions, address } };
}

function unreachable(t: TemporalTarget, err: unknown): TransientError {
  return new TransientError(
    `cannot reach the Temporal server at ${t.address} (namespace ${t.namespace}): ${(err as Error).message}; check TEMPORAL_ADDRESS, or omit it to run on the embedded dev server`,
    { code: 'TEMPORAL_UNREACHABLE', cause: err },
  );
}

export async function connectClient(t: TemporalTarget): Promise<Connection> {
  try {
    return await Connection.connect(t.connectionOptions as Parameters<typeof Connection.connect>[0]);
  } catch (err) {
    throw unreachable(t, err);
  }
}

export async function connectWorker(t: TemporalTarget): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(t.connectionOptions);
  } catch (err) {
    throw unreachable(t, err);
  }
}
