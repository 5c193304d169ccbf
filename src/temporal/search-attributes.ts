/**
 * Registers spnas's custom search attributes in a namespace (idempotent), so the Temporal UI can list
 * studies and trials by study, state, lambda, top-1 and latency. The embedded dev server gets them
 * at start; on a cluster, `spnas temporal setup` runs this once per namespace.
 */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { InvalidInputError } from '../errors';
import { SEARCH_ATTRIBUTES } from '../study/names';

const TYPE = temporal.api.enums.v1.IndexedValueType;
const WANT: Record<string, number> = Object.fromEntries(
  Object.values(SEARCH_ATTRIBUTES).map((a) => [a.name, a.type === 'KEYWORD' ? TYPE.INDEXED_VALUE_TYPE_KEYWORD : TYPE.INDEXED_VALUE_TYPE_DOUBLE]),
);

/** Adds the missing attributes; returns their names. Refuses an existing attribute of another type. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const have = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  const missing: Record<string, number> = {};
  for (const [name, type] of Object.entries(WANT)) {
    const existing = have[name];
    if (existing === undefined) missing[name] = type;
    else if (Number(existing) !== type)
      throw new InvalidInputError(
        `search attribute ${name} exists in namespace '${namespace}' with another type (${TYPE[Number(existing)]}); remove it or use another namespace`,
      );
  }
  if (Object.keys(missing).length) await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  return Object.keys(missing);
}
