/** Small JSON documents in an object store (run.json, results), with errors naming the object. */
import { InvalidInputError } from '../errors';
import type { ObjectStore } from './object-store';
import { openStore } from './open-store';
import { splitParent } from './uri';

export async function writeJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  await store.put(key, JSON.stringify(value, null, 2) + '\n', { contentType: 'application/json' });
}

/** The parsed document, or undefined when the object does not exist. */
export async function readJson(store: ObjectStore, key: string): Promise<unknown | undefined> {
  if (!(await store.head(key))) return undefined;
  const raw = await store.get(key);
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (err) {
    throw new InvalidInputError(`${store.uri}/${key} is not valid JSON: ${(err as Error).message}`);
  }
}

/** writeJson addressed by the document's own URI (the store is its parent). */
export async function writeJsonUri(uri: string, value: unknown): Promise<void> {
  const [parent, name] = splitParent(uri);
  await writeJson(openStore(parent), name, value);
}

/** readJson addressed by the document's own URI: undefined when it does not exist. */
export async function readJsonUriIfExists(uri: string): Promise<unknown | undefined> {
  const [parent, name] = splitParent(uri);
  return readJson(openStore(parent), name);
}
