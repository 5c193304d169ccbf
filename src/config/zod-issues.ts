/**
 * Turns zod issues into one message that lists every problem with its field path, so a user fixes a
 * spec in one pass instead of one error per run.
 */
import type { z } from 'zod';
import { InvalidInputError } from '../errors';

export function formatIssues(issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[]): string {
  return issues
    .map((i) => {
      const path = i.path.length
        ? i.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '')
        : '(root)';
      return `  - ${path}: ${i.message}`;
    })
    .join('\n');
}

/** Parses `value` with `schema`, or throws InvalidInputError naming `what` and every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new InvalidInputError(`invalid ${what}:\n${formatIssues(r.error.issues)}`);
  return r.data;
}
