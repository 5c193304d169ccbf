/**
 * Registry of built-in search spaces. Each preset is plain data, validated like a user spec.
 *
 * - mobilenetv2-imagenet: the paper's 224px space (20 searchable layers, 5 stages of 4).
 * - cifar: the same stages and widths on 32px inputs. Stride plan: stem and stage 1 at stride 1
 *   (32x32), stages 2 and 3 downsample to 16 and 8, stage 4 keeps 8, stage 5 downsamples to 4. Only
 *   three downsamplings (like CIFAR ResNets) keep enough spatial extent for the 5x5 kernels to matter.
 * - cifar-small: cifar at about half width, 2 layers per stage and a 512-wide head: a search that
 *   fits in minutes on a 2-core CPU.
 * - cifar-tiny: a very narrow 1-2 layer per stage space for tests and smoke runs.
 */
import { InvalidInputError } from '../errors';
import { parseSearchSpace, type SearchSpace, type SearchSpaceInput } from './spec';

const IMAGENET_NORM = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;
/** CIFAR-10 training-set channel statistics (0..1 pixel units). */
const CIFAR_NORM = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] } as const;

const presetInputs: Record<string, SearchSpaceInput> = {
  'mobilenetv2-imagenet': {
    name: 'mobilenetv2-imagenet',
    inputSize: 224,
    numClasses: 1000,
    normalization: { mean: [...IMAGENET_NORM.mean], std: [...IMAGENET_NORM.std] },
    stem: { filters: 32, kernel: 3, stride: 2 }, // 224 -> 112
    firstBlock: { out: 16, kernel: 3, expansion: 1, stride: 1 },
    stages: [
      { out: 24, stride: 2, layers: 4 }, // 56
      { out: 40, stride: 2, layers: 4 }, // 28
      { out: 80, stride: 2, layers: 4 }, // 14
      { out: 96, stride: 1, layers: 4 }, // 14
      { out: 192, stride: 2, layers: 4 }, // 7
    ],
    lastBlock: { out: 320, kernel: 3, expansion: 6, stride: 1 },
    head: { filters: 1280, dropout: 0.2 },
    search: { se: false },
  },
  cifar: {
    name: 'cifar',
    inputSize: 32,
    numClasses: 10,
    normalization: { mean: [...CIFAR_NORM.mean], std: [...CIFAR_NORM.std] },
    stem: { filters: 32, kernel: 3, stride: 1 }, // 32
    firstBlock: { out: 16, kernel: 3, expansion: 1, stride: 1 },
    stages: [
      { out: 24, stride: 1, layers: 4 }, // 32
      { out: 40, stride: 2, layers: 4 }, // 16
      { out: 80, stride: 2, layers: 4 }, // 8
      { out: 96, stride: 1, layers: 4 }, // 8
      { out: 192, stride: 2, layers: 4 }, // 4
    ],
    lastBlock: { out: 320, kernel: 3, expansion: 6, stride: 1 },
    head: { filters: 1280, dropout: 0.2 },
    search: { se: true },
  },
  'cifar-small': {
    name: 'cifar-small',
    inputSize: 32,
    numClasses: 10,
    normalization: { mean: [...CIFAR_NORM.mean], std: [...CIFAR_NORM.std] },
    stem: { filters: 16, kernel: 3, stride: 1 }, // 32
    firstBlock: { out: 16, kernel: 3, expansion: 1, stride: 1 },
    stages: [
      { out: 16, stride: 1, layers: 2 }, // 32
      { out: 24, stride: 2, layers: 2 }, // 16
      { out: 40, stride: 2, layers: 2 }, // 8
      { out: 48, stride: 1, layers: 2 }, // 8
      { out: 96, stride: 2, layers: 2 }, // 4
    ],
    lastBlock: null,
    head: { filters: 512, dropout: 0.1 },
    search: { se: true },
  },
  'cifar-tiny': {
    name: 'cifar-tiny',
    inputSize: 32,
    numClasses: 10,
    normalization: { mean: [...CIFAR_NORM.mean], std: [...CIFAR_NORM.std] },
    stem: { filters: 8, kernel: 3, stride: 2 }, // 16
    firstBlock: { out: 8, kernel: 3, expansion: 1, stride: 1 },
    stages: [
      { out: 8, stride: 1, layers: 2 }, // 16
      { out: 16, stride: 2, layers: 2 }, // 8
      { out: 24, stride: 2, layers: 1 }, // 4
    ],
    lastBlock: null,
    head: { filters: 64, dropout: 0 },
    search: { se: true },
  },
};

export const PRESET_NAMES = Object.keys(presetInputs);

export function getPreset(name: string): SearchSpace {
  const input = presetInputs[name];
  if (!input) throw new InvalidInputError(`unknown search-space preset '${name}': choose one of ${PRESET_NAMES.join(', ')}, or pass a JSON spec file`);
  // A JSON copy (presets are plain data; structuredClone is missing in the workflow sandbox).
  return parseSearchSpace(JSON.parse(JSON.stringify(input)) as unknown, `preset '${name}'`);
}
