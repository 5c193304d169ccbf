/**
 * Flag parsing for every command (node:util parseArgs, strict): unknown flags and missing values
 * become InvalidInputError naming the flag and pointing at --help. Numeric flags are checked here.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as fs from 'node:fs';
import { InvalidInputError } from '../errors';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

export function parseFlags(
  command: string,
  argv: string[],
  options: FlagSpec,
  positionals = 0,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options, strict: true, allowPositionals: positionals > 0 });
    if (r.positionals.length > positionals) throw new Error(`unexpected argument '${r.positionals[positionals]}'`);
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (err) {
    throw new InvalidInputError(`${(err as Error).message}; see 'spnas ${command} --help'`);
  }
}

export function numberFlag(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new InvalidInputError(`--${name} must be a number, got '${String(v)}'`);
  return n;
}

export function requireFlag(values: Record<string, unknown>, name: string, command: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new InvalidInputError(`--${name} is required; see 'spnas ${command} --help'`);
  return v;
}

/** Reads a JSON file given by a flag, naming the flag and the file in every error. */
/** A JSON file that must hold an object (a config): anything else is refused naming the file. */
export function readJsonObjectFile(file: string, what: string): Record<string, unknown> {
  const v = readJsonFile(file, what);
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new InvalidInputError(`${what} '${file}' must hold a JSON object, not ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  return v as Record<string, unknown>;
}

export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidInputError(`${what} '${file}' cannot be read: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(`${what} '${file}' is not valid JSON: ${(err as Error).message}`);
  }
}

/** Removes undefined entries, so flags only override what was actually given. */
export function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
