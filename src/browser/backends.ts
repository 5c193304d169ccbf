/** The TF.js backends a page can run on, most capable first (no zod here: the model page bundles it). */
import { InvalidInputError } from '../errors';

export const BROWSER_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BrowserBackend = (typeof BROWSER_BACKENDS)[number];
/** 'auto': the first of BROWSER_BACKENDS that starts in this browser. */
export type BackendPreference = BrowserBackend | 'auto';

export function checkBackendPreference(v: string, what = '--backend'): BackendPreference {
  if (v === 'auto' || (BROWSER_BACKENDS as readonly string[]).includes(v)) return v as BackendPreference;
  throw new InvalidInputError(`${what} must be auto or one of ${BROWSER_BACKENDS.join(', ')}, got '${v}'`);
}
