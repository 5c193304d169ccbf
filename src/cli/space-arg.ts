/** Resolves a --space value: a preset name, or a path to a JSON spec file. */
import * as fs from 'node:fs';
import { InvalidInputError } from '../errors';
import { getPreset, PRESET_NAMES } from '../space/presets';
import { parseSearchSpace, type SearchSpace } from '../space/spec';
import { readJsonFile } from './args';

export function resolveSpace(value: string): SearchSpace {
  if (PRESET_NAMES.includes(value)) return getPreset(value);
  if (value.endsWith('.json') || fs.existsSync(value)) return parseSearchSpace(readJsonFile(value, 'search-space spec'), `search-space spec '${value}'`);
  throw new InvalidInputError(`unknown search-space preset '${value}': choose one of ${PRESET_NAMES.join(', ')}, or pass a JSON spec file`);
}
